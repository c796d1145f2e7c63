import { randomUUID } from 'node:crypto';
import { issueTenantScope } from '@app/common';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { ConnectionsService } from '@app/connections';
import { VaultRewrapService, VaultService } from '@app/vault';
import { createTestApp, newAdminKeyText, newMasterKeyEntry, TestApp } from './utils/create-app';
import { pollUntil } from './utils/poll-until';
import { createTestDatabase, TestDatabase } from './utils/test-database';

const SYSTEM_CTX = { requestId: 'vault-e2e', ip: null, userAgent: null, principal: null };

async function newTenant(t: TestApp): Promise<string> {
  const slug = `t-${randomUUID().slice(0, 8)}`;
  const [row] = await t.db.query<{ id: string }>('INSERT INTO tenants (slug, name) VALUES ($1, $1) RETURNING id', [
    slug,
  ]);
  return row.id;
}

async function createConnections(
  t: TestApp,
  tenantId: string,
  count: number,
  prefix: string,
): Promise<Map<string, string>> {
  const secrets = new Map<string, string>();
  for (let start = 0; start < count; start += 25) {
    const batch = Array.from({ length: Math.min(25, count - start) }, (_, i) => start + i);
    await Promise.all(
      batch.map(async (i) => {
        const apiKey = `${prefix}-api-key-${i}-${randomUUID()}`;
        const res = await request(t.url)
          .post(`/v1/tenants/${tenantId}/connections`)
          .set('Authorization', `Bearer ${t.adminKey}`)
          .send({
            name: `${prefix}-${i}`,
            provider: 'flussonic',
            base_url: 'http://watcher.example',
            credentials: { api_key: apiKey },
          });
        expect(res.status).toBe(201);
        secrets.set(res.body.id, apiKey);
      }),
    );
  }
  return secrets;
}

async function expectAllDecrypt(t: TestApp, tenantId: string, secrets: Map<string, string>): Promise<void> {
  const connections = t.app.get(ConnectionsService);
  for (const [id, apiKey] of secrets) {
    const { context } = await connections.resolveForLink(issueTenantScope(tenantId), id);
    await expect(context.loadCredentials()).resolves.toEqual({ api_key: apiKey, auth_mode: 'legacy' });
  }
}

describe('vault: ciphertexts are bound to their row', () => {
  let t: TestApp;
  let tenantA: string;
  let tenantB: string;
  let ids: string[];
  const open = (tenantId: string, id: string) =>
    t.app
      .get(ConnectionsService)
      .resolveForLink(issueTenantScope(tenantId), id)
      .then(({ context }) => context.loadCredentials());

  beforeAll(async () => {
    t = await createTestApp();
    tenantA = await newTenant(t);
    tenantB = await newTenant(t);
    ids = [
      ...(await createConnections(t, tenantA, 3, 'a')).keys(),
      ...(await createConnections(t, tenantB, 1, 'b')).keys(),
    ];
  });
  afterAll(async () => t.close());

  const copyBlobs = (from: string, to: string) =>
    t.db.query(
      `UPDATE connection_secrets AS dst SET wrapped_key = src.wrapped_key, ciphertext = src.ciphertext, master_key_version = src.master_key_version
         FROM connection_secrets AS src WHERE src.connection_id = $1 AND dst.connection_id = $2`,
      [from, to],
    );

  it('refuses a ciphertext moved onto another connection of the same tenant', async () => {
    await copyBlobs(ids[0], ids[1]);
    await expect(open(tenantA, ids[1])).rejects.toMatchObject({ status: 500, code: 'vault_decryption_failed' });
    await expect(open(tenantA, ids[0])).resolves.toHaveProperty('api_key');
  });

  it("refuses a ciphertext moved onto another tenant's connection", async () => {
    await copyBlobs(ids[0], ids[3]);
    await expect(open(tenantB, ids[3])).rejects.toMatchObject({ code: 'vault_decryption_failed' });
  });

  it('refuses a row whose secret version was changed, and a flipped bit in the ciphertext or wrapped key', async () => {
    await t.db.query('UPDATE connection_secrets SET version = version + 1 WHERE connection_id = $1', [ids[0]]);
    await expect(open(tenantA, ids[0])).rejects.toMatchObject({ code: 'vault_decryption_failed' });
    await t.db.query('UPDATE connection_secrets SET version = version - 1 WHERE connection_id = $1', [ids[0]]);
    await expect(open(tenantA, ids[0])).resolves.toHaveProperty('api_key');
    await t.db.query(
      'UPDATE connection_secrets SET ciphertext = set_byte(ciphertext, 30, get_byte(ciphertext, 30) # 1) WHERE connection_id = $1',
      [ids[0]],
    );
    await expect(open(tenantA, ids[0])).rejects.toMatchObject({ code: 'vault_decryption_failed' });
    await t.db.query(
      'UPDATE connection_secrets SET wrapped_key = set_byte(wrapped_key, 40, get_byte(wrapped_key, 40) # 128) WHERE connection_id = $1',
      [ids[2]],
    );
    await expect(open(tenantA, ids[2])).rejects.toMatchObject({ code: 'vault_decryption_failed' });
  });

  it('counts rows it cannot re-wrap as failed instead of aborting the job', async () => {
    const rotated = await createTestApp({
      db: t.db,
      env: {
        BROKER_MASTER_KEYS: `${newMasterKeyEntry('v2')},${t.env.BROKER_MASTER_KEYS}`,
        BROKER_BOOTSTRAP_ADMIN_KEY: t.adminKey,
      },
    });
    try {
      const result = await rotated.app.get(VaultRewrapService).rewrapAll(SYSTEM_CTX);
      // ids[1] and ids[3] carry ids[0]'s original data key (bound to ids[0]); ids[2]'s wrapped key is corrupt.
      expect(result).toEqual({
        rewrapped: 1,
        upgraded: 0,
        already_current: 0,
        failed: 3,
        remaining: 3,
        current_version: 'v2',
      });
    } finally {
      await rotated.app.close();
    }
  });
});

describe('vault: master key rotation', () => {
  let db: TestDatabase;
  const adminKey = newAdminKeyText();
  const v1 = newMasterKeyEntry('v1');
  const v2 = newMasterKeyEntry('v2');
  const start = (keys: string) =>
    createTestApp({ db, env: { BROKER_MASTER_KEYS: keys, BROKER_BOOTSTRAP_ADMIN_KEY: adminKey } });

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.drop());

  it('rotates v1 → v2 online: rewrap while 8 clients read, then v1 can be dropped', async () => {
    const first = await start(v1);
    const tenantId = await newTenant(first);
    const secrets = await createConnections(first, tenantId, 300, 'rot');
    await first.close();
    const versions = async () =>
      db.query<{ v: string; n: number }>(
        'SELECT master_key_version AS v, count(*)::int AS n FROM connection_secrets GROUP BY 1 ORDER BY 1',
      );
    expect(await versions()).toEqual([{ v: 'v1', n: 300 }]);

    const rotated = await start(`${v2},${v1}`);
    // A previous run that crashed after one batch: 40 rows already under v2.
    const vault = rotated.app.get(VaultService);
    const done = await db.query<{
      connection_id: string;
      tenant_id: string;
      version: number;
      master_key_version: string;
      wrapped_key: Buffer;
    }>(
      'SELECT connection_id, tenant_id, version, master_key_version, wrapped_key FROM connection_secrets ORDER BY connection_id LIMIT 40',
    );
    for (const row of done) {
      const binding = {
        tenantId: row.tenant_id,
        connectionId: row.connection_id,
        secretVersion: row.version,
        origin: 'http://watcher.example:80',
      };
      const sealed = vault.rewrap(binding, {
        aadVersion: 2,
        masterKeyVersion: row.master_key_version,
        wrappedKey: row.wrapped_key,
        ciphertext: Buffer.alloc(0),
      });
      await db.query(
        `UPDATE connection_secrets SET wrapped_key = $1, master_key_version = 'v2' WHERE connection_id = $2`,
        [sealed.wrappedKey, row.connection_id],
      );
    }

    const connections = rotated.app.get(ConnectionsService);
    const ids = [...secrets.keys()];
    let running = true;
    let reads = 0;
    const failures: unknown[] = [];
    const reader = async () => {
      while (running) {
        const id = ids[Math.floor(Math.random() * ids.length)];
        try {
          const credentials = await (
            await connections.resolveForLink(issueTenantScope(tenantId), id)
          ).context.loadCredentials();
          if (credentials.api_key !== secrets.get(id)) failures.push(new Error(`wrong secret for ${id}`));
          reads++;
        } catch (error) {
          failures.push(error);
        }
      }
    };
    const readers = Array.from({ length: 8 }, reader);
    const result = await rotated.app.get(VaultRewrapService).rewrapAll(SYSTEM_CTX, 25);
    // Keep reading until the readers have also read the rewrapped rows (a number of reads, not a time).
    const readsAtRewrapEnd = reads;
    await pollUntil(
      () => reads,
      (n) => n >= readsAtRewrapEnd + 50,
      { intervalMs: 5 },
    );
    running = false;
    await Promise.all(readers);
    expect(failures).toEqual([]);
    expect(reads).toBeGreaterThan(100);
    expect(result).toEqual({
      rewrapped: 260,
      upgraded: 0,
      already_current: 40,
      failed: 0,
      remaining: 0,
      current_version: 'v2',
    });
    expect(await versions()).toEqual([{ v: 'v2', n: 300 }]);

    const again = await request(rotated.url).post('/v1/vault/rewrap').set('Authorization', `Bearer ${adminKey}`);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({
      rewrapped: 0,
      upgraded: 0,
      already_current: 300,
      failed: 0,
      remaining: 0,
      current_version: 'v2',
    });
    const events = await db.query<{ outcome: string; metadata: Record<string, unknown> }>(
      `SELECT outcome, metadata FROM audit_events WHERE action = 'vault.rewrapped' AND tenant_id IS NULL ORDER BY seq`,
    );
    expect(events).toEqual([
      { outcome: 'success', metadata: expect.objectContaining({ rewrapped: 260, already_current: 40, failed: 0 }) },
      { outcome: 'success', metadata: expect.objectContaining({ rewrapped: 0, already_current: 300 }) },
    ]);
    await rotated.close();

    const v2Only = await start(v2);
    try {
      await expectAllDecrypt(v2Only, tenantId, secrets);
    } finally {
      await v2Only.close();
    }
  });

  it('refuses to start when stored secrets use a master key version that is not configured, naming it', async () => {
    await expect(start(newMasterKeyEntry('v3'))).rejects.toThrow(
      /sealed under master key version\(s\) v2, which BROKER_MASTER_KEYS does not configure \(configured: v3\)/,
    );
  });
});

describe('vault: development master key', () => {
  it('generates a key file (mode 0600) under DATA_DIR when BROKER_MASTER_KEYS is absent, and reuses it', async () => {
    const t = await createTestApp({ env: { BROKER_MASTER_KEYS: '' } });
    try {
      const path = join(t.env.DATA_DIR, 'master.key');
      expect(statSync(path).mode & 0o777).toBe(0o600);
      const tenantId = await newTenant(t);
      const secrets = await createConnections(t, tenantId, 2, 'dev');
      await t.app.close();
      const again = await createTestApp({
        db: t.db,
        env: { BROKER_MASTER_KEYS: '', DATA_DIR: t.env.DATA_DIR, BROKER_BOOTSTRAP_ADMIN_KEY: t.adminKey },
      });
      await expectAllDecrypt(again, tenantId, secrets);
      await again.app.close();
    } finally {
      await t.db.drop();
    }
  });
});
