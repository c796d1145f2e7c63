import { acronisOptionsFromEnv, AcronisSimulator, startAcronisSimulator } from '@app/acronis-simulator';
import { issueTenantScope } from '@app/common';
import { ConnectionsService } from '@app/connections';
import { flussonicOptionsFromEnv, FlussonicSimulator, startFlussonicSimulator } from '@app/flussonic-simulator';
import { MasterKeyRing } from '@app/vault';
import request from 'supertest';
import { gcmSeal } from '../libs/vault/src/crypto/aes-gcm';
import { bindingAad } from '../libs/vault/src/crypto/secret-binding';
import { CaptureServer, startCaptureServer } from './utils/capture-server';
import { createTestApp, TestApp } from './utils/create-app';

/**
 * Issue 10, part 1: a credential goes only to the origin it was stored for. Each test is named
 * after the finding it covers; each failed on the code before the origin binding.
 */
describe('a credential goes only to the origin it was stored for', () => {
  let t: TestApp;
  let acronis: AcronisSimulator;
  let flussonic: FlussonicSimulator;
  let capture: CaptureServer;
  let tenantId: string;
  const admin = () => ({ Authorization: `Bearer ${t.adminKey}` });
  const connections = () => `/v1/tenants/${tenantId}/connections`;

  const KINDS = {
    'acronis client_credentials': () => ({
      provider: 'acronis',
      base_url: acronis.url,
      credentials: { client_id: 'demo-client', client_secret: 'demo-secret' },
    }),
    'acronis bearer_token': () => ({
      provider: 'acronis',
      base_url: acronis.url,
      credentials: { bearer_token: 'demo-pasted-bearer-token' },
    }),
    'flussonic api_key': () => ({
      provider: 'flussonic',
      base_url: flussonic.url,
      credentials: { api_key: 'demo-watcher-api-key' },
    }),
  };
  let seq = 0;
  async function create(kind: keyof typeof KINDS): Promise<string> {
    const res = await request(t.url)
      .post(connections())
      .set(admin())
      .send({ name: `c-${++seq}`, ...KINDS[kind]() });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }
  const patch = (id: string, body: Record<string, unknown>) =>
    request(t.url).patch(`${connections()}/${id}`).set(admin()).send(body);
  const check = (id: string) => request(t.url).post(`${connections()}/${id}/check`).set(admin()).send();
  const events = (id: string, action: string) =>
    t.db.query<{ outcome: string; error_code: string | null; metadata: Record<string, unknown> }>(
      'SELECT outcome, error_code, metadata FROM audit_events WHERE connection_id = $1 AND action = $2 ORDER BY seq',
      [id, action],
    );

  beforeAll(async () => {
    [t, acronis, flussonic, capture] = await Promise.all([
      createTestApp(),
      startAcronisSimulator({ ...acronisOptionsFromEnv({}), port: 0 }),
      startFlussonicSimulator({ ...flussonicOptionsFromEnv({}), port: 0 }),
      startCaptureServer(),
    ]);
    tenantId = (await request(t.url).post('/v1/tenants').set(admin()).send({ name: 'Origins' })).body.id;
  });
  afterAll(async () => {
    await Promise.all([t?.close(), acronis?.close(), flussonic?.close(), capture?.close()]);
  });

  it.each(Object.keys(KINDS) as (keyof typeof KINDS)[])(
    'PATCH of base_url to another origin without credentials is refused (400 credentials_required_for_new_origin, nothing changed) and check sends nothing there (%s)',
    async (kind) => {
      const id = await create(kind);
      const before = (await request(t.url).get(`${connections()}/${id}`).set(admin())).body;

      const res = await patch(id, { base_url: capture.url });

      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        code: 'credentials_required_for_new_origin',
        errors: [{ field: 'credentials' }],
      });
      expect((await request(t.url).get(`${connections()}/${id}`).set(admin())).body).toEqual(before);
      expect((await check(id)).body).toMatchObject({ ok: true });
      expect(await events(id, 'connection.updated')).toEqual([]);
      expect(capture.connections).toBe(0);
    },
  );

  it('a sealed credential does not open for another origin: a base_url changed behind the API (in the database) gets no credential', async () => {
    const id = await create('acronis client_credentials');
    // An access token in the provider's cache must not travel either.
    const warm = await request(t.url)
      .post('/v1/login-links')
      .set(admin())
      .send({ tenant_id: tenantId, connection: id, user: { login: 'alice@customer-a.example' } });
    expect(warm.status).toBe(201);
    await t.db.query('UPDATE connections SET base_url = $1 WHERE id = $2', [capture.url, id]);

    const res = await check(id);
    const link = await request(t.url)
      .post('/v1/login-links')
      .set(admin())
      .send({ tenant_id: tenantId, connection: id, user: { login: 'alice@customer-a.example' } });

    expect([res.status, res.body.code]).toEqual([500, 'vault_decryption_failed']);
    expect([link.status, link.body.code]).toEqual([500, 'vault_decryption_failed']);
    expect(capture.connections).toBe(0);
    expect(await events(id, 'connection.checked')).toEqual([
      expect.objectContaining({ outcome: 'failure', error_code: 'vault_decryption_failed' }),
    ]);
  });

  it('PATCH with credentials moves the connection to the new origin under the next credential version', async () => {
    const id = await create('flussonic api_key');
    const moved = flussonic.url.replace('127.0.0.1', 'localhost');

    const res = await patch(id, { base_url: moved, credentials: { api_key: 'demo-watcher-api-key' } });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ base_url: moved, credential: { kind: 'api_key', version: 2 } });
    expect((await check(id)).body).toMatchObject({ ok: true });
    expect(await events(id, 'credential.rotated')).toEqual([
      expect.objectContaining({ metadata: { credential_kind: 'api_key', credential_version: 2 } }),
    ]);
    const [updated] = await events(id, 'connection.updated');
    expect(updated.metadata).toEqual({
      changed: ['base_url', 'credentials'],
      before: { base_url: flussonic.url },
      after: { base_url: moved },
      credential_kind: 'api_key',
      credential_version: 2,
    });
    expect(JSON.stringify(updated)).not.toContain('demo-watcher-api-key');
  });

  it('PATCH with invalid credentials for a new origin is refused by the provider, nothing changed', async () => {
    const id = await create('acronis client_credentials');
    const res = await patch(id, { base_url: capture.url, credentials: { client_id: 'only-an-id' } });
    expect([res.status, res.body.code]).toEqual([400, 'invalid_credentials']);
    expect((await request(t.url).get(`${connections()}/${id}`).set(admin())).body).toMatchObject({
      base_url: acronis.url,
      credential: { version: 1 },
    });
  });

  it('PATCH of the path on the same origin (and of its default port or letter case) keeps the credential', async () => {
    const id = await create('acronis client_credentials');
    const sameOrigin = `${acronis.url.replace('http://', 'HTTP://')}/prefix/`;

    const res = await patch(id, { base_url: sameOrigin });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ base_url: `${acronis.url}/prefix`, credential: { version: 1 } });
    const { context } = await t.app.get(ConnectionsService).resolveForLink(issueTenantScope(tenantId), id);
    await expect(context.loadCredentials()).resolves.toEqual({
      client_id: 'demo-client',
      client_secret: 'demo-secret',
    });
  });

  it('the connection.updated event records old and new base_url and settings, never a secret', async () => {
    const id = await create('acronis client_credentials');
    const settings = { allowed_target_uris: [`${acronis.url}/ui`], default_target_uri: `${acronis.url}/ui` };

    await patch(id, { base_url: `${acronis.url}/v2`, settings, name: 'renamed' }).expect(200);

    const [event] = await events(id, 'connection.updated');
    expect(event.metadata).toEqual({
      changed: ['name', 'base_url', 'settings'],
      before: { name: expect.stringMatching(/^c-/), base_url: acronis.url, settings: { allowed_target_uris: [] } },
      after: { name: 'renamed', base_url: `${acronis.url}/v2`, settings },
    });
    expect(JSON.stringify(event)).not.toContain('demo-secret');
  });

  it('POST …/check is audited as connection.checked, with the outcome and the error code of a failure', async () => {
    const id = await create('acronis client_credentials');
    expect((await check(id)).body).toMatchObject({ ok: true });
    await request(t.url)
      .put(`${connections()}/${id}/credentials`)
      .set(admin())
      .send({ client_id: 'demo-client', client_secret: 'wrong-secret' })
      .expect(200);
    expect((await check(id)).body).toMatchObject({ ok: false, code: 'upstream_unauthorized' });

    expect(await events(id, 'connection.checked')).toEqual([
      { outcome: 'success', error_code: null, metadata: { ok: true, base_url: acronis.url } },
      { outcome: 'failure', error_code: 'upstream_unauthorized', metadata: { ok: false, base_url: acronis.url } },
    ]);
  });
});

describe('legacy secrets (associated data without the origin) are bound to their origin', () => {
  let t: TestApp;
  let flussonic: FlussonicSimulator;
  let capture: CaptureServer;
  let tenantId: string;
  const admin = (app: TestApp) => ({ Authorization: `Bearer ${app.adminKey}` });

  /** Re-seals a row as the broker did before AAD layout 2 (docs/vault.md#associated-data, layout 1). */
  async function makeLegacy(app: TestApp, connectionId: string, credentials: Record<string, unknown>): Promise<void> {
    const [row] = await app.db.query<{ tenant_id: string; version: number }>(
      'SELECT tenant_id, version FROM connection_secrets WHERE connection_id = $1',
      [connectionId],
    );
    const binding = { tenantId: row.tenant_id, connectionId, secretVersion: row.version, origin: '' };
    const dataKey = Buffer.alloc(32, 9);
    const ring = MasterKeyRing.parse(app.env.BROKER_MASTER_KEYS);
    const ciphertext = gcmSeal(dataKey, Buffer.from(JSON.stringify(credentials)), bindingAad(binding, 'secret', 1));
    const { masterKeyVersion, wrappedKey } = ring.wrapDataKey(dataKey, bindingAad(binding, 'data-key', 1));
    await app.db.query(
      `UPDATE connection_secrets SET aad_version = 1, master_key_version = $2, wrapped_key = $3, ciphertext = $4
        WHERE connection_id = $1`,
      [connectionId, masterKeyVersion, wrappedKey, ciphertext],
    );
  }
  const layouts = () =>
    t.db.query<{ aad_version: number; n: number }>(
      'SELECT aad_version, count(*)::int AS n FROM connection_secrets GROUP BY 1 ORDER BY 1',
    );

  beforeAll(async () => {
    [t, flussonic, capture] = await Promise.all([
      createTestApp(),
      startFlussonicSimulator({ ...flussonicOptionsFromEnv({}), port: 0 }),
      startCaptureServer(),
    ]);
    tenantId = (await request(t.url).post('/v1/tenants').set(admin(t)).send({ name: 'Legacy' })).body.id;
  });
  afterAll(async () => {
    await Promise.all([t?.close(), flussonic?.close(), capture?.close()]);
  });

  it('legacy rows still open until upgraded, are upgraded at start-up before serving, and are then bound to the origin', async () => {
    const ids: string[] = [];
    for (const name of ['legacy-1', 'legacy-2']) {
      const res = await request(t.url)
        .post(`/v1/tenants/${tenantId}/connections`)
        .set(admin(t))
        .send({
          name,
          provider: 'flussonic',
          base_url: flussonic.url,
          credentials: { api_key: 'demo-watcher-api-key' },
        })
        .expect(201);
      ids.push(res.body.id as string);
      await makeLegacy(t, res.body.id as string, { api_key: 'demo-watcher-api-key', auth_mode: 'legacy' });
    }
    expect(await layouts()).toEqual([{ aad_version: 1, n: 2 }]);
    // Until upgraded, a legacy row opens with the legacy layout.
    expect(
      (await request(t.url).post(`/v1/tenants/${tenantId}/connections/${ids[0]}/check`).set(admin(t))).body,
    ).toMatchObject({ ok: true });

    const restarted = await createTestApp({
      db: t.db,
      env: { BROKER_MASTER_KEYS: t.env.BROKER_MASTER_KEYS, BROKER_BOOTSTRAP_ADMIN_KEY: t.adminKey },
    });
    try {
      expect(await layouts()).toEqual([{ aad_version: 2, n: 2 }]);
      const [event] = await t.db.query<{ actor_type: string; actor_id: string; metadata: Record<string, unknown> }>(
        `SELECT actor_type, actor_id, metadata FROM audit_events WHERE action = 'vault.rewrapped' ORDER BY seq DESC LIMIT 1`,
      );
      expect(event).toMatchObject({
        actor_type: 'system',
        actor_id: 'vault-legacy-upgrade',
        metadata: { upgraded: 2, failed: 0, remaining: 0 },
      });
      const checked = await request(restarted.url)
        .post(`/v1/tenants/${tenantId}/connections/${ids[0]}/check`)
        .set(admin(restarted));
      expect(checked.body).toMatchObject({ ok: true });

      // Now bound: the same row no longer opens for another origin.
      await t.db.query('UPDATE connections SET base_url = $1 WHERE id = $2', [capture.url, ids[1]]);
      const moved = await request(restarted.url)
        .post(`/v1/tenants/${tenantId}/connections/${ids[1]}/check`)
        .set(admin(restarted));
      expect([moved.status, moved.body.code]).toEqual([500, 'vault_decryption_failed']);
      expect(capture.connections).toBe(0);

      // A legacy row written meanwhile (e.g. by an instance of the previous release) is upgraded by the rewrap.
      await makeLegacy(restarted, ids[0], { api_key: 'demo-watcher-api-key', auth_mode: 'legacy' });
      const rewrap = await request(restarted.url).post('/v1/vault/rewrap').set(admin(restarted)).expect(200);
      expect(rewrap.body).toMatchObject({ upgraded: 1, rewrapped: 0, failed: 0, remaining: 0 });
      expect(await layouts()).toEqual([{ aad_version: 2, n: 2 }]);
      const again = await request(restarted.url).post('/v1/vault/rewrap').set(admin(restarted)).expect(200);
      expect(again.body).toMatchObject({ upgraded: 0, rewrapped: 0, already_current: 2, remaining: 0 });
    } finally {
      await restarted.app.close();
    }
  });
});
