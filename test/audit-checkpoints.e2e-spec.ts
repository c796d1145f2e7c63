import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  AuditCheckpointer,
  AuditService,
  ChainVerifier,
  checkpointFileName,
  CheckpointSigner,
  CheckpointWebhook,
  openCheckpoint,
  parseVerifierKey,
  retryDelaySeconds,
  splitNotes,
} from '@app/audit';
import { issueTenantScope } from '@app/common';
import { createTestApp, TestApp } from './utils/create-app';
import { countTurns, spin } from './utils/event-loop-turns';

interface Checkpoint {
  id: string;
  chain_id: string;
  tenant_id: string | null;
  seq: number;
  hash: string;
  checkpointed_at: string;
  key_id: string;
  note: string;
}

async function addEvents(t: TestApp, tenantId: string, count: number): Promise<void> {
  const audit = t.app.get(AuditService);
  const manager = t.app.get(DataSource).manager;
  for (let i = 0; i < count; i += 1)
    await audit.record(manager, {
      action: 'tenant.updated',
      outcome: 'success',
      scope: issueTenantScope(tenantId),
      ctx: AuditService.systemContext('checkpoint-test'),
      metadata: { i },
    });
}

describe('audit checkpoints', () => {
  let t: TestApp;
  let tenantA: string;
  let tenantB: string;
  let auditorA: string;
  const admin = () => ({ Authorization: `Bearer ${t.adminKey}` });

  beforeAll(async () => {
    t = await createTestApp();
    tenantA = (await request(t.url).post('/v1/tenants').set(admin()).send({ name: 'Checkpoint A' })).body.id;
    tenantB = (await request(t.url).post('/v1/tenants').set(admin()).send({ name: 'Checkpoint B' })).body.id;
    auditorA = (
      await request(t.url)
        .post('/v1/api-keys')
        .set(admin())
        .send({ name: 'cp auditor', role: 'auditor', tenant_id: tenantA })
    ).body.key;
  });
  afterAll(async () => t?.close());

  it('a round signs each moved chain once, into the table and the file sink; nothing moved, nothing signed', async () => {
    const checkpointer = t.app.get(AuditCheckpointer);
    const first = await checkpointer.run();
    // Tenant A (created, key created) and tenant B (created).
    expect(first).toMatchObject({ skipped: false, chains_moved: 2, checkpoints: 2, refused: [] });
    expect(first.statements).toBeLessThanOrEqual(10);
    expect(await checkpointer.run()).toMatchObject({ chains_moved: 0, checkpoints: 0 });
    await addEvents(t, tenantA, 3);
    expect(await checkpointer.run()).toMatchObject({ chains_moved: 1, events_verified: 3, checkpoints: 1 });

    const rows = await t.db.query<{ chain_id: string; seq: string; hash: string; note: string }>(
      `SELECT chain_id, seq::text AS seq, hash, note FROM audit_checkpoints ORDER BY id`,
    );
    expect(rows.map((r) => [r.chain_id, r.seq])).toEqual(
      expect.arrayContaining([
        [tenantA, '2'],
        [tenantB, '1'],
        [tenantA, '5'],
      ]),
    );
    // The file sink holds the same notes, byte for byte, one file per chain.
    const fileA = readFileSync(join(t.env.DATA_DIR, 'checkpoints', checkpointFileName(tenantA)), 'utf8');
    expect(splitNotes(fileA)).toEqual(rows.filter((r) => r.chain_id === tenantA).map((r) => r.note));
    // And each checkpoint names the hash of the event at its seq.
    const [event] = await t.db.query<{ hash: string }>(
      `SELECT hash FROM audit_events WHERE chain_id = $1 AND seq = 5`,
      [tenantA],
    );
    expect(rows.find((r) => r.chain_id === tenantA && r.seq === '5')?.hash).toBe(event.hash);
  });

  it('notes are C2SP checkpoints that verify with the published verifier key', async () => {
    const keys = await request(t.url).get('/v1/audit-checkpoints/public-keys').set(admin());
    expect(keys.status).toBe(200);
    expect(keys.body.keys).toEqual([
      {
        version: 'v1',
        key_name: `127.0.0.1:${new URL(t.url).port}/audit`,
        key_id: expect.stringMatching(/^[0-9a-f]{8}$/),
        algorithm: 'ed25519',
        public_key: expect.any(String),
        verifier_key: expect.stringMatching(/^127\.0\.0\.1:\d+\/audit\+[0-9a-f]{8}\+/),
        current: true,
      },
    ]);
    expect(
      (await request(t.url).get('/v1/audit-checkpoints/public-keys').set('Authorization', `Bearer ${auditorA}`)).status,
    ).toBe(200);
    const pinned = parseVerifierKey(keys.body.keys[0].verifier_key);
    const page = await request(t.url).get('/v1/audit-checkpoints').query({ tenant_id: tenantA }).set(admin());
    const newest = page.body.data[0] as Checkpoint;
    const opened = openCheckpoint(newest.note, [pinned]);
    expect(opened).toMatchObject({
      origin: `${keys.body.keys[0].key_name}/${tenantA}`,
      chainId: tenantA,
      seq: String(newest.seq),
      hash: newest.hash,
      keyId: newest.key_id,
    });
    expect(newest.note.split('\n').slice(0, 4)).toEqual([
      `${keys.body.keys[0].key_name}/${tenantA}`,
      String(newest.seq),
      Buffer.from(newest.hash, 'hex').toString('base64'),
      `time ${newest.checkpointed_at}`,
    ]);
  });

  it('lists checkpoints with the audit list scoping: own tenant only for a tenant-bound auditor, pages, portal 403', async () => {
    const own = await request(t.url).get('/v1/audit-checkpoints').set('Authorization', `Bearer ${auditorA}`);
    expect(own.status).toBe(200);
    expect((own.body.data as Checkpoint[]).map((c) => [c.tenant_id, c.seq])).toEqual([
      [tenantA, 5],
      [tenantA, 2],
    ]);
    const other = await request(t.url)
      .get('/v1/audit-checkpoints')
      .query({ tenant_id: tenantB })
      .set('Authorization', `Bearer ${auditorA}`);
    expect(other.status).toBe(404);
    const all = await request(t.url).get('/v1/audit-checkpoints').query({ limit: 2 }).set(admin());
    expect(all.body.data).toHaveLength(2);
    const next = await request(t.url)
      .get('/v1/audit-checkpoints')
      .query({ limit: 2, cursor: all.body.next_cursor })
      .set(admin());
    const ids = [...all.body.data, ...next.body.data].map((c: Checkpoint) => Number(c.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set([...all.body.data, ...next.body.data].map((c: Checkpoint) => c.chain_id))).toEqual(
      new Set([tenantA, tenantB]),
    );
    const portal = (
      await request(t.url)
        .post('/v1/api-keys')
        .set(admin())
        .send({ name: 'cp portal', role: 'portal', tenant_id: tenantA })
    ).body.key;
    for (const path of ['/v1/audit-checkpoints', '/v1/audit-checkpoints/public-keys'])
      expect((await request(t.url).get(path).set('Authorization', `Bearer ${portal}`)).status).toBe(403);
    expect((await request(t.url).get('/v1/audit-checkpoints').query({ cursor: 'x' }).set(admin())).body.code).toBe(
      'invalid_cursor',
    );
  });

  it('verify reports head_seq, head_hash and the latest checkpoint it checked', async () => {
    const res = await request(t.url).get('/v1/audit-events/verify').query({ tenant_id: tenantA }).set(admin());
    const [head] = await t.db.query<{ seq: string; hash: string }>(
      `SELECT seq::text AS seq, hash FROM audit_events WHERE chain_id = $1 ORDER BY seq DESC LIMIT 1`,
      [tenantA],
    );
    expect(res.body).toMatchObject({
      tenant_id: tenantA,
      chain_id: tenantA,
      ok: true,
      first_broken_seq: null,
      head_seq: Number(head.seq),
      head_hash: head.hash,
      // Two in the table, and the same two in this instance's file sink.
      checkpoints_checked: 4,
      latest_checkpoint: { seq: 5, source: 'database', key_id: expect.stringMatching(/^[0-9a-f]{8}$/) },
      problems: [],
    });
  });

  it('several instances: one checkpoint per chain state, however the rounds overlap', async () => {
    // Instances share the signing keys (BROKER_AUDIT_SIGNING_KEYS, or here one DATA_DIR's development key).
    const second = await createTestApp({ db: t.db, env: { DATA_DIR: t.env.DATA_DIR } });
    try {
      const tenants = [tenantA, tenantB, randomUUID(), randomUUID()];
      for (let round = 0; round < 4; round += 1) {
        for (const [i, tenant] of tenants.entries()) await addEvents(i % 2 ? second : t, tenant, 1 + round);
        const results = await Promise.all([
          t.app.get(AuditCheckpointer).run(),
          second.app.get(AuditCheckpointer).run(),
        ]);
        expect(results.reduce((n, r) => n + r.checkpoints, 0)).toBe(tenants.length);
      }
      const [dupes] = await t.db.query<{ n: number; distinct_states: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT (chain_id, seq))::int AS distinct_states FROM audit_checkpoints`,
      );
      expect(dupes.n).toBe(dupes.distinct_states);
      for (const tenant of tenants) {
        const verify = await request(t.url).get('/v1/audit-events/verify').query({ tenant_id: tenant }).set(admin());
        expect({ tenant, ...verify.body }).toMatchObject({ tenant, ok: true, problems: [] });
        expect(verify.body.latest_checkpoint.seq).toBe(verify.body.head_seq);
      }
    } finally {
      await second.close();
    }
  });

  it('refuses to sign a chain whose events no longer extend its last checkpoint, and says why', async () => {
    const tenant = randomUUID();
    await addEvents(t, tenant, 4);
    await t.app.get(AuditCheckpointer).run();
    await t.db.query('SET session_replication_role = replica');
    await t.db.query(`UPDATE audit_events SET metadata = '{"i": 99}' WHERE chain_id = $1 AND seq = 3`, [tenant]);
    await t.db.query('SET session_replication_role = origin');
    await addEvents(t, tenant, 2);
    // seq 3 is before the checkpoint: the round checks only what is new, and signs.
    expect((await t.app.get(AuditCheckpointer).run()).refused).toEqual([]);
    await addEvents(t, tenant, 1);
    await t.db.query('SET session_replication_role = replica');
    await t.db.query(`UPDATE audit_events SET metadata = '{"i": 98}' WHERE chain_id = $1 AND seq = 7`, [tenant]);
    await t.db.query('SET session_replication_role = origin');
    await addEvents(t, tenant, 1);
    const round = await t.app.get(AuditCheckpointer).run();
    expect(round.refused).toEqual([{ chain_id: tenant, seq: 7, problem: 'seq 7 does not hash to its stored hash' }]);
    const [{ seq }] = await t.db.query<{ seq: string }>(
      `SELECT max(seq)::text AS seq FROM audit_checkpoints WHERE chain_id = $1`,
      [tenant],
    );
    expect(seq).toBe('6');
  });

  it('verifying and signing let other work run between events and chains, in the round and on the verify route', async () => {
    await t.app.get(AuditCheckpointer).run();
    const tenant = randomUUID();
    await addEvents(t, tenant, 40);
    const others = Array.from({ length: 12 }, () => randomUUID());
    for (const other of others) await addEvents(t, other, 1);
    // Every event check and signature made to keep the CPU for 1 ms: 40 ms for one batch of events.
    const counter = countTurns();
    const slowly = <T>(seen: number[], call: () => T): T => {
      spin(1);
      seen.push(counter.turns);
      return call();
    };
    const turnsSeen: number[] = [];
    const push = ChainVerifier.prototype.push;
    const slowPush = jest.spyOn(ChainVerifier.prototype, 'push').mockImplementation(function (
      this: ChainVerifier,
      event,
    ) {
      slowly(turnsSeen, () => push.call(this, event));
    });
    const turnsAtSigning: number[] = [];
    const sign = CheckpointSigner.prototype.sign;
    const slowSign = jest.spyOn(CheckpointSigner.prototype, 'sign').mockImplementation(function (
      this: CheckpointSigner,
      statement,
    ) {
      return slowly(turnsAtSigning, () => sign.call(this, statement));
    });
    try {
      const round = await t.app.get(AuditCheckpointer).run();
      expect(round.checkpoints).toBeGreaterThanOrEqual(13);
      expect(round.events_verified).toBeGreaterThanOrEqual(52);
      // A loop over the whole batch would show one value; 5 ms slices show several.
      expect(new Set(turnsSeen).size).toBeGreaterThanOrEqual(4);
      expect(new Set(turnsAtSigning).size).toBeGreaterThanOrEqual(2);

      turnsSeen.length = 0;
      const verify = await request(t.url).get('/v1/audit-events/verify').query({ tenant_id: tenant }).set(admin());
      expect(verify.body).toMatchObject({ ok: true, head_seq: 40, problems: [] });
      expect(turnsSeen.length).toBe(40);
      expect(new Set(turnsSeen).size).toBeGreaterThanOrEqual(4);
    } finally {
      counter.stop();
      slowPush.mockRestore();
      slowSign.mockRestore();
    }
  });
});

describe('checkpoint webhook', () => {
  let receiver: Server;
  let url: string;
  const received: Array<{ body: string; chain: string; seq: string; id: string }> = [];
  let failuresLeft = 2;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          res.writeHead(503).end();
          return;
        }
        received.push({
          body,
          chain: String(req.headers['x-audit-chain-id']),
          seq: String(req.headers['x-audit-seq']),
          id: String(req.headers['x-audit-checkpoint-id']),
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/checkpoints`;
  });
  afterAll(async () => new Promise((resolve) => receiver.close(resolve)));

  it('retries with backoff from the PostgreSQL outbox until delivered, across a restart', async () => {
    expect([1, 2, 3, 4, 10, 11].map(retryDelaySeconds)).toEqual([1, 2, 4, 8, 512, 600]);
    const first = await createTestApp({ env: { AUDIT_CHECKPOINT_WEBHOOK_URL: url } });
    const db = first.db;
    let firstOpen = true;
    try {
      const tenant = (
        await request(first.url)
          .post('/v1/tenants')
          .set('Authorization', `Bearer ${first.adminKey}`)
          .send({ name: 'Hook Tenant' })
      ).body.id;
      const round = await first.app.get(AuditCheckpointer).run();
      expect(round.checkpoints).toBe(1);
      const webhook = first.app.get(CheckpointWebhook);
      // The round kicked a delivery run; join it (a call while one runs joins it).
      const firstTry = await webhook.deliverDue();
      const state = () =>
        db.query<{ attempts: number; delivered: boolean; last_error: string | null; wait_s: number }>(
          `SELECT attempts, delivered_at IS NOT NULL AS delivered, last_error,
             round(extract(epoch FROM next_attempt_at - now()))::int AS wait_s
           FROM audit_checkpoint_deliveries ORDER BY checkpoint_id`,
        );
      // The delivery failed (the receiver answers 503), scheduled 1 s later.
      expect(firstTry.delivered + (await state()).filter((d) => d.delivered).length).toBe(0);
      expect(await state()).toEqual([
        { attempts: 1, delivered: false, last_error: 'HTTP 503', wait_s: expect.any(Number) },
      ]);
      expect((await state()).every((d) => d.wait_s >= 0 && d.wait_s <= 1)).toBe(true);
      // Not yet due: nothing is attempted.
      await db.query(`UPDATE audit_checkpoint_deliveries SET next_attempt_at = now() + interval '1 hour'`);
      expect(await webhook.deliverDue()).toEqual({ delivered: 0, failed: 0 });
      await first.app.close();
      firstOpen = false;

      // A new instance on the same database picks the outbox up once the retry is due.
      const second = await createTestApp({ db, env: { AUDIT_CHECKPOINT_WEBHOOK_URL: url } });
      try {
        await db.query(`UPDATE audit_checkpoint_deliveries SET next_attempt_at = now()`);
        expect(await second.app.get(CheckpointWebhook).deliverDue()).toEqual({ delivered: 0, failed: 1 });
        expect(await state()).toEqual([
          { attempts: 2, delivered: false, last_error: 'HTTP 503', wait_s: expect.any(Number) },
        ]);
        await db.query(`UPDATE audit_checkpoint_deliveries SET next_attempt_at = now()`);
        expect(await second.app.get(CheckpointWebhook).deliverDue()).toEqual({ delivered: 1, failed: 0 });
        expect(await state()).toEqual([{ attempts: 3, delivered: true, last_error: null, wait_s: expect.any(Number) }]);
        const notes = await db.query<{ id: string; chain_id: string; seq: string; note: string }>(
          `SELECT id::text AS id, chain_id, seq::text AS seq, note FROM audit_checkpoints ORDER BY id`,
        );
        expect(received.sort((a, b) => Number(a.id) - Number(b.id))).toEqual(
          notes.map((n) => ({ body: n.note, chain: n.chain_id, seq: n.seq, id: n.id })),
        );
        expect(notes.map((n) => n.chain_id)).toContain(tenant);
      } finally {
        await second.close();
      }
    } finally {
      if (firstOpen) await first.app.close();
      await db.drop();
    }
  });
});
