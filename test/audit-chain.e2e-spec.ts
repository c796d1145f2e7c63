import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import {
  type AuditChain,
  AuditService,
  AuditStore,
  AuditUnavailableException,
  BROKER_CHAIN,
  type CompanionWrite,
  fromEvent,
} from '@app/audit';
import { register } from 'prom-client';
import { issueTenantScope, type RequestContext } from '@app/common';
import { auditVerifyCli } from '../scripts/audit-verify';
import { createTestDatabase, TestDatabase } from './utils/test-database';

const ctx: RequestContext = {
  requestId: 'req-chain',
  ip: '192.0.2.7',
  userAgent: 'chain-test',
  principal: { keyId: randomUUID(), role: 'portal', tenantId: null },
};

const chainOf = (tenantId: string | null): AuditChain =>
  tenantId === null ? BROKER_CHAIN : issueTenantScope(tenantId);

describe('audit chain (database level)', () => {
  let db: TestDatabase;
  let app: DataSource;
  let audit: AuditService;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = new DataSource({ type: 'postgres', url: db.appUrl, extra: { max: 10 } });
    await app.initialize();
    audit = new AuditService(new AuditStore(app));
  });

  afterAll(async () => {
    await app?.destroy();
    await db?.drop();
  });

  async function fill(tenantId: string | null, count: number): Promise<void> {
    for (let i = 0; i < count; i += 1) {
      await audit.record(app.manager, {
        action: 'login_link.issued',
        outcome: 'success',
        scope: chainOf(tenantId),
        ctx,
        subject: { login: `user${i}` },
        metadata: { i },
      });
    }
  }

  async function verify(tenantId: string | null) {
    const client = new Client({ connectionString: db.appUrl });
    const lines: string[] = [];
    const code = await auditVerifyCli(
      ['--tenant', tenantId ?? 'broker', '--database-url', db.appUrl],
      {},
      { out: (l) => lines.push(l), err: (l) => lines.push(l) },
    );
    await client.end().catch(() => undefined);
    return {
      code,
      verdict: JSON.parse(lines[0]) as {
        tenant_id: string | null;
        events_checked: number;
        ok: boolean;
        first_broken_seq: number | null;
      },
    };
  }

  async function tamper(sql: string, params: unknown[] = []): Promise<void> {
    // The append-only trigger fires for every role: tampering must switch it off deliberately.
    await db.query('SET session_replication_role = replica');
    try {
      await db.query(sql, params);
    } finally {
      await db.query('SET session_replication_role = origin');
    }
  }

  it('8 concurrent writers x 500 events on one tenant: no fork, no gap, verify ok', async () => {
    const tenantId = randomUUID();
    await Promise.all(Array.from({ length: 8 }, () => fill(tenantId, 500)));
    const [stats] = await db.query<{
      n: string;
      min: string;
      max: string;
      distinct_seq: string;
      distinct_prev: string;
    }>(
      `SELECT count(*) AS n, min(seq) AS min, max(seq) AS max, count(DISTINCT seq) AS distinct_seq, count(DISTINCT prev_hash) AS distinct_prev
       FROM audit_events WHERE tenant_id = $1`,
      [tenantId],
    );
    expect(stats).toEqual({ n: '4000', min: '1', max: '4000', distinct_seq: '4000', distinct_prev: '4000' });
    const { code, verdict } = await verify(tenantId);
    expect(verdict).toMatchObject({ tenant_id: tenantId, events_checked: 4000, ok: true, first_broken_seq: null });
    expect(code).toBe(0);
  });

  it('keeps the broker-wide chain for events without a tenant', async () => {
    await fill(null, 3);
    const rows = await db.query<{ tenant_id: string | null; seq: string }>(
      `SELECT tenant_id, seq FROM audit_events WHERE tenant_id IS NULL ORDER BY seq`,
    );
    expect(rows).toEqual([
      { tenant_id: null, seq: '1' },
      { tenant_id: null, seq: '2' },
      { tenant_id: null, seq: '3' },
    ]);
    expect((await verify(null)).verdict).toMatchObject({ tenant_id: null, events_checked: 3, ok: true });
  });

  it('a rolled-back transaction leaves no event and no hole in the chain', async () => {
    const tenantId = randomUUID();
    await fill(tenantId, 2);
    await expect(
      app.transaction(async (manager) => {
        await audit.record(manager, { action: 'tenant.updated', outcome: 'success', scope: chainOf(tenantId), ctx });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await fill(tenantId, 1);
    const seqs = await db.query<{ seq: string }>('SELECT seq FROM audit_events WHERE tenant_id = $1 ORDER BY seq', [
      tenantId,
    ]);
    expect(seqs.map((r) => r.seq)).toEqual(['1', '2', '3']);
    expect((await verify(tenantId)).verdict.ok).toBe(true);
  });

  describe('tampering by the superuser is named by seq', () => {
    it('a changed field', async () => {
      const tenantId = randomUUID();
      await fill(tenantId, 30);
      await tamper(`UPDATE audit_events SET subject_login = 'mallory' WHERE tenant_id = $1 AND seq = 17`, [tenantId]);
      const { code, verdict } = await verify(tenantId);
      expect(verdict).toMatchObject({ tenant_id: tenantId, events_checked: 30, ok: false, first_broken_seq: 17 });
      expect(code).toBe(1);
    });

    it('a changed field with its hash recomputed is still caught by the next event', async () => {
      const tenantId = randomUUID();
      await fill(tenantId, 30);
      await tamper(
        `UPDATE audit_events SET metadata = '{"i": 99}', hash = repeat('a', 64) WHERE tenant_id = $1 AND seq = 9`,
        [tenantId],
      );
      expect((await verify(tenantId)).verdict.first_broken_seq).toBe(9);
    });

    it('a deleted row', async () => {
      const tenantId = randomUUID();
      await fill(tenantId, 30);
      await tamper(`DELETE FROM audit_events WHERE tenant_id = $1 AND seq = 12`, [tenantId]);
      expect((await verify(tenantId)).verdict).toMatchObject({
        tenant_id: tenantId,
        events_checked: 29,
        ok: false,
        first_broken_seq: 12,
      });
    });

    it('two swapped rows', async () => {
      const tenantId = randomUUID();
      await fill(tenantId, 30);
      await tamper(
        `UPDATE audit_events SET seq = CASE seq WHEN 21 THEN 1000022 WHEN 22 THEN 1000021 END WHERE tenant_id = $1 AND seq IN (21, 22)`,
        [tenantId],
      );
      await tamper(`UPDATE audit_events SET seq = seq - 1000000 WHERE tenant_id = $1 AND seq > 1000000`, [tenantId]);
      expect((await verify(tenantId)).verdict).toMatchObject({
        tenant_id: tenantId,
        events_checked: 30,
        ok: false,
        first_broken_seq: 21,
      });
    });

    it('the newest row removed (the head remembers it)', async () => {
      const tenantId = randomUUID();
      await fill(tenantId, 10);
      await tamper(`DELETE FROM audit_events WHERE tenant_id = $1 AND seq = 10`, [tenantId]);
      expect((await verify(tenantId)).verdict).toMatchObject({
        tenant_id: tenantId,
        events_checked: 9,
        ok: false,
        first_broken_seq: 10,
      });
    });
  });

  it('the runtime role cannot UPDATE, DELETE or TRUNCATE events; the trigger refuses even the owner', async () => {
    const tenantId = randomUUID();
    await fill(tenantId, 1);
    const runtime = new Client({ connectionString: db.appUrl });
    await runtime.connect();
    try {
      for (const sql of [
        `UPDATE audit_events SET outcome = 'failure' WHERE tenant_id = '${tenantId}'`,
        `DELETE FROM audit_events WHERE tenant_id = '${tenantId}'`,
        'TRUNCATE audit_events',
        `DELETE FROM audit_chain_heads WHERE chain_id = '${tenantId}'`,
      ]) {
        await expect(runtime.query(sql)).rejects.toMatchObject({ code: '42501' });
      }
    } finally {
      await runtime.end();
    }
    await expect(
      db.query(`UPDATE audit_events SET outcome = 'failure' WHERE tenant_id = $1`, [tenantId]),
    ).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM audit_events WHERE tenant_id = $1`, [tenantId])).rejects.toThrow(/append-only/);
    await expect(db.query('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
    expect((await verify(tenantId)).verdict.ok).toBe(true);
  });

  it('fails closed: a refused insert throws AuditUnavailableException and rolls the caller back', async () => {
    const tenantId = randomUUID();
    await db.query('REVOKE EXECUTE ON FUNCTION audit_append FROM sso_broker_runtime');
    try {
      await expect(
        audit.record(app.manager, { action: 'tenant.created', outcome: 'success', scope: chainOf(tenantId), ctx }),
      ).rejects.toBeInstanceOf(AuditUnavailableException);
    } finally {
      await db.query('GRANT EXECUTE ON FUNCTION audit_append TO sso_broker_runtime');
    }
    await fill(tenantId, 1);
    expect((await verify(tenantId)).verdict).toMatchObject({ events_checked: 1, ok: true });
  });

  describe('group commit: autocommit appends to one chain share statements', () => {
    beforeAll(async () => {
      // A companion table with a column of each type the broker's companions use.
      await db.query(`CREATE TABLE batch_companions (id uuid PRIMARY KEY, note text, doc jsonb, blob bytea,
        n integer, at timestamptz)`);
      await db.query('GRANT SELECT, INSERT, UPDATE ON batch_companions TO sso_broker_runtime');
    });

    // Values an array literal must escape: quotes, backslashes, commas, braces, NULL-lookalikes, non-ASCII.
    const NOTES = ['plain', 'a "quoted", {braced} \\ back\\slash', 'NULL', '', ' spaced ', 'ünï©ødé ✓', null];
    const companionOf = (i: number, id = randomUUID()): CompanionWrite => ({
      kind: 'insert',
      table: 'batch_companions',
      columns: [
        ['id', 'uuid', id],
        ['note', 'text', NOTES[i % NOTES.length]],
        ['doc', 'jsonb', JSON.stringify({ i, s: NOTES[i % NOTES.length] })],
        ['blob', 'bytea', i % 3 === 0 ? null : Buffer.from([i, 0, 255, 92, 34])],
        ['n', 'integer', i % 4 === 0 ? null : i],
        ['at', 'timestamptz', new Date(Date.UTC(2026, 0, 1, 0, 0, i))],
      ],
    });
    /** The group-commit histogram's count (statements) and sum (events) so far, in this process. */
    const statements = async () => {
      const metric = await register.getSingleMetric('audit_append_events_per_statement')!.get();
      const values = metric.values as { metricName?: string; value: number }[];
      const value = (suffix: string) =>
        values.find((v) => v.metricName === `audit_append_events_per_statement${suffix}`)!.value;
      return { statements: value('_count'), events: value('_sum') };
    };
    /** A `login_link.issued` event of link `i` with its companions; `fields` adds to the event. */
    const issued = (
      tenantId: string,
      i: number,
      companions: CompanionWrite | CompanionWrite[],
      fields: Partial<Parameters<AuditService['record']>[1]> = {},
    ) =>
      audit.record(
        app.manager,
        {
          action: 'login_link.issued',
          outcome: 'success',
          scope: chainOf(tenantId),
          ctx,
          subject: { login: `u${i}` },
          metadata: { i },
          ...fields,
        },
        Array.isArray(companions) ? companions : [companions],
      );

    it('64 concurrent appends go in 3 statements, each event with its companion row exactly as given, and verify', async () => {
      const tenantId = randomUUID();
      const before = await statements();
      const companions = Array.from({ length: 64 }, (_, i) => companionOf(i));
      const recorded = await Promise.all(companions.map((companion, i) => issued(tenantId, i, companion)));
      const after = await statements();
      // The first event finds the chain idle and goes alone; the 63 queued behind it fill 32 + 31.
      expect({ statements: after.statements - before.statements, events: after.events - before.events }).toEqual({
        statements: 3,
        events: 64,
      });
      // Seqs follow arrival order, without a gap.
      expect(recorded.map((event) => Number(event.seq))).toEqual(Array.from({ length: 64 }, (_, i) => i + 1));
      const rows = await db.query<{
        id: string;
        note: string | null;
        doc: unknown;
        blob: Buffer | null;
        n: number | null;
        at: Date;
      }>(`SELECT id, note, doc, blob, n, at FROM batch_companions WHERE id = ANY($1::uuid[])`, [
        companions.map((c) => (c.kind === 'insert' ? c.columns[0][2] : null)),
      ]);
      const byId = new Map(rows.map((row) => [row.id, row]));
      companions.forEach((companion) => {
        const [[, , id], [, , note], [, , doc], [, , blob], [, , n], [, , at]] = (
          companion as Extract<CompanionWrite, { kind: 'insert' }>
        ).columns;
        expect(byId.get(id as string)).toEqual({ id, note, doc: JSON.parse(doc as string), blob, n, at });
      });
      const [events] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_events WHERE tenant_id = $1`, [
        tenantId,
      ]);
      expect(events.n).toBe('64');
      expect((await verify(tenantId)).verdict).toMatchObject({ events_checked: 64, ok: true });
    });

    it('two instances (two pools, two batchers) grouping on one chain at once: no fork, no gap, verify ok', async () => {
      const other = new DataSource({ type: 'postgres', url: db.appUrl, extra: { max: 10 } });
      await other.initialize();
      try {
        const otherAudit = new AuditService(new AuditStore(other));
        const tenantId = randomUUID();
        const companionIds: string[] = [];
        const wave = (service: AuditService, manager: DataSource['manager'], from: number) =>
          Array.from({ length: 100 }, (_, i) => {
            const id = randomUUID();
            companionIds.push(id);
            return service.record(
              manager,
              {
                action: 'login_link.issued',
                outcome: 'success',
                scope: chainOf(tenantId),
                ctx,
                metadata: { i: from + i },
              },
              [companionOf(from + i, id)],
            );
          });
        // Three waves each, so that both instances have batches queued behind the other's.
        for (let round = 0; round < 3; round++)
          await Promise.all([
            ...wave(audit, app.manager, round * 200),
            ...wave(otherAudit, other.manager, round * 200 + 100),
          ]);
        const [stats] = await db.query<{ n: string; max: string; distinct_seq: string; companions: string }>(
          `SELECT count(*) AS n, max(seq) AS max, count(DISTINCT seq) AS distinct_seq,
                  (SELECT count(*) FROM batch_companions WHERE id = ANY($2::uuid[])) AS companions
             FROM audit_events WHERE tenant_id = $1`,
          [tenantId, companionIds],
        );
        expect(stats).toEqual({ n: '600', max: '600', distinct_seq: '600', companions: '600' });
        expect((await verify(tenantId)).verdict).toMatchObject({ events_checked: 600, ok: true });
      } finally {
        await other.destroy();
      }
    });

    it('groups events without a companion, on the broker-wide chain too, and update companions', async () => {
      const before = await statements();
      const bare = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          audit.record(app.manager, {
            action: 'tenant.created',
            outcome: 'success',
            scope: chainOf(null),
            ctx,
            metadata: { i },
          }),
        ),
      );
      expect(bare.every((event) => event.tenantId === null)).toBe(true);
      const tenantId = randomUUID();
      const ids = Array.from({ length: 10 }, () => randomUUID());
      for (const id of ids) await db.query(`INSERT INTO batch_companions (id, note) VALUES ($1, 'before')`, [id]);
      const update = (id: string, i: number): CompanionWrite => ({
        kind: 'update',
        table: 'batch_companions',
        set: [['note', 'text', `after ${i}, "quoted"`]],
        where: [['id', 'uuid', id]],
      });
      await Promise.all(
        ids.map((id, i) =>
          audit.record(
            app.manager,
            { action: 'login_link.redeemed', outcome: 'success', scope: chainOf(tenantId), ctx, metadata: { i } },
            [update(id, i)],
          ),
        ),
      );
      const after = await statements();
      // Each burst: one alone, then nine together.
      expect(after.statements - before.statements).toBe(4);
      const notes = await db.query<{ id: string; note: string }>(
        `SELECT id, note FROM batch_companions WHERE id = ANY($1::uuid[])`,
        [ids],
      );
      expect(new Map(notes.map((row) => [row.id, row.note]))).toEqual(
        new Map(ids.map((id, i) => [id, `after ${i}, "quoted"`])),
      );
      expect((await verify(null)).verdict.ok).toBe(true);
      expect((await verify(tenantId)).verdict).toMatchObject({ events_checked: 10, ok: true });
    });

    it('groups events with two companions each (a row inserted, another updated), all written', async () => {
      const tenantId = randomUUID();
      const existing = Array.from({ length: 12 }, () => randomUUID());
      for (const id of existing) await db.query(`INSERT INTO batch_companions (id, note) VALUES ($1, 'pending')`, [id]);
      const inserted = existing.map(() => randomUUID());
      const before = await statements();
      await Promise.all(
        existing.map((id, i) =>
          issued(tenantId, i, [
            companionOf(i, inserted[i]),
            {
              kind: 'update',
              table: 'batch_companions',
              set: [['note', 'text', 'done']],
              where: [
                ['id', 'uuid', id],
                ['note', 'text', 'pending'],
              ],
            },
          ]),
        ),
      );
      const after = await statements();
      expect(after.statements - before.statements).toBe(2);
      const [counts] = await db.query<{ inserted: string; done: string }>(
        `SELECT (SELECT count(*) FROM batch_companions WHERE id = ANY($1::uuid[])) AS inserted,
                (SELECT count(*) FROM batch_companions WHERE id = ANY($2::uuid[]) AND note = 'done') AS done`,
        [inserted, existing],
      );
      expect(counts).toEqual({ inserted: '12', done: '12' });
      expect((await verify(tenantId)).verdict).toMatchObject({ events_checked: 12, ok: true });
    });

    it("companion columns taken from the event hold the event's values, alone and in a batch", async () => {
      await db.query(`CREATE TABLE event_echo (event_id uuid PRIMARY KEY, tenant uuid, link uuid, conn text,
        provider text, fp text, note text)`);
      await db.query('GRANT INSERT ON event_echo TO sso_broker_runtime');
      const tenantId = randomUUID();
      const echo = (i: number): CompanionWrite => ({
        kind: 'insert',
        table: 'event_echo',
        columns: [
          ['event_id', 'uuid', fromEvent('id')],
          ['note', 'text', NOTES[i % NOTES.length]],
          ['tenant', 'uuid', fromEvent('tenant_id')],
          ['link', 'uuid', fromEvent('link_id')],
          ['conn', 'text', fromEvent('connection_id')],
          ['provider', 'text', fromEvent('provider')],
          ['fp', 'text', fromEvent('token_fingerprint')],
        ],
      });
      const record = (i: number) =>
        issued(tenantId, i, echo(i), {
          connectionId: `connection-${i}`,
          provider: i % 2 === 0 ? 'acronis' : 'flussonic',
          linkId: randomUUID(),
          tokenFingerprint: i % 3 === 0 ? null : `fp${i}`.padEnd(16, '0'),
        });
      const before = await statements();
      await record(0); // an idle chain: the single statement
      await Promise.all(Array.from({ length: 20 }, (_, i) => record(i + 1))); // then batches
      const after = await statements();
      expect(after.statements - before.statements).toBeGreaterThanOrEqual(2);
      expect(after.statements - before.statements).toBeLessThan(21);
      const rows = await db.query<{ same: boolean; note: string | null; i: number }>(
        `SELECT (x.tenant IS NOT DISTINCT FROM e.tenant_id AND x.link::text = e.link_id AND x.conn = e.connection_id
                 AND x.provider = e.provider AND x.fp IS NOT DISTINCT FROM e.token_fingerprint) AS same,
                x.note, (e.metadata->>'i')::int AS i
           FROM audit_events e LEFT JOIN event_echo x ON x.event_id = e.id WHERE e.tenant_id = $1 ORDER BY e.seq`,
        [tenantId],
      );
      expect(rows).toHaveLength(21);
      for (const row of rows) expect(row).toEqual({ same: true, note: NOTES[row.i % NOTES.length], i: row.i });
    });

    it('a batch refused for one row is retried event by event: only that event fails, the chain has no gap', async () => {
      const tenantId = randomUUID();
      const taken = randomUUID();
      await db.query(`INSERT INTO batch_companions (id) VALUES ($1)`, [taken]);
      const outcomes = await Promise.all(
        [0, 1, 2, 3, 4].map((i) =>
          issued(tenantId, i, companionOf(i, i === 3 ? taken : randomUUID())).then(
            (event) => Number(event.seq),
            (error: unknown) => (error instanceof AuditUnavailableException ? 'refused' : error),
          ),
        ),
      );
      expect(outcomes).toEqual([1, 2, 3, 'refused', 4]);
      const [events] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_events WHERE tenant_id = $1`, [
        tenantId,
      ]);
      expect(events.n).toBe('4');
      expect((await verify(tenantId)).verdict).toMatchObject({ events_checked: 4, ok: true });
    });
  });

  it('the CLI answers usage errors with exit code 2', async () => {
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    expect(await auditVerifyCli(['--tenant', 'nope'], { DATABASE_URL: db.appUrl }, io)).toBe(2);
    expect(await auditVerifyCli([], {}, io)).toBe(2);
    expect(lines[0]).toMatch(/usage/);
  });
});
