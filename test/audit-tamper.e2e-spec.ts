import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AuditCheckpointer, AuditService, checkpointFileName, eventHash, type StoredChainedEvent } from '@app/audit';
import { issueTenantScope } from '@app/common';
import { auditVerifyCli } from '../scripts/audit-verify';
import { EVENT_COLUMNS_SQL } from '../libs/audit/src/store/audit-event-filter.sql';
import { createTestApp, TestApp } from './utils/create-app';

interface Verdict {
  ok: boolean;
  first_broken_seq: number | null;
  head_seq: number | null;
  problems: Array<{ seq: number; problem: string; detail: string }>;
}

/**
 * The attacks of issue 11, by the database owner (who can disable the append-only trigger and
 * write any table) and by the runtime role. Each passed unnoticed before signed checkpoints and
 * the append function: verify answered ok, the CLI exited 0.
 */
describe('audit tampering by the database owner or the runtime role is detected', () => {
  let t: TestApp;
  const admin = () => ({ Authorization: `Bearer ${t.adminKey}` });

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  async function chainWith(events: number): Promise<string> {
    const tenantId = randomUUID();
    const audit = t.app.get(AuditService);
    const manager = t.app.get(DataSource).manager;
    for (let i = 0; i < events; i += 1)
      await audit.record(manager, {
        action: 'login_link.issued',
        outcome: 'success',
        scope: issueTenantScope(tenantId),
        ctx: AuditService.systemContext('tamper-test'),
        subject: { login: `user${i}` },
        metadata: { i },
      });
    return tenantId;
  }

  async function asOwner(statements: (db: TestApp['db']) => Promise<void>): Promise<void> {
    // The owner switches the append-only triggers off for its session, as an attacker would.
    await t.db.query('SET session_replication_role = replica');
    try {
      await statements(t.db);
    } finally {
      await t.db.query('SET session_replication_role = origin');
    }
  }

  async function events(chainId: string, fromSeq = 1): Promise<StoredChainedEvent[]> {
    return t.db.query<StoredChainedEvent>(
      `SELECT ${EVENT_COLUMNS_SQL} FROM audit_events WHERE chain_id = $1 AND seq >= $2 ORDER BY audit_events.seq`,
      [chainId, fromSeq],
    );
  }

  /** Rewrites events from `fromSeq` on with `change`, recomputing every hash after it and the head. */
  async function rewriteSuffix(chainId: string, fromSeq: number, change: (e: StoredChainedEvent) => void) {
    const [previous] = await events(chainId, fromSeq - 1);
    let prev = fromSeq === 1 ? '0'.repeat(64) : previous.hash;
    const suffix = await events(chainId, fromSeq);
    await asOwner(async (db) => {
      for (const event of suffix) {
        if (Number(event.seq) === fromSeq) change(event);
        event.prev_hash = prev;
        event.hash = eventHash(event);
        prev = event.hash;
        await db.query(
          `UPDATE audit_events SET subject_login = $2, occurred_at = $3, metadata = $4, prev_hash = $5, hash = $6 WHERE id = $1`,
          [
            event.id,
            event.subject_login,
            event.occurred_at,
            JSON.stringify(event.metadata),
            event.prev_hash,
            event.hash,
          ],
        );
      }
      const last = suffix[suffix.length - 1];
      await db.query(`UPDATE audit_chain_heads SET last_hash = $2, last_occurred_at = $3 WHERE chain_id = $1`, [
        chainId,
        last.hash,
        last.occurred_at,
      ]);
    });
  }

  const verifyApi = async (chainId: string) =>
    (await request(t.url).get('/v1/audit-events/verify').query({ tenant_id: chainId }).set(admin())).body as Verdict;

  async function cli(args: string[]): Promise<{ code: number; verdict: Verdict; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await auditVerifyCli(args, {}, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, verdict: (out.length ? JSON.parse(out[0]) : null) as Verdict, err: err.join('\n') };
  }
  /** The README's default: the broker's DATA_DIR (its file sink and its development key), the app's database. */
  const cliDefault = (chainId: string) =>
    cli(['--tenant', chainId, '--database-url', t.db.appUrl, '--data-dir', t.env.DATA_DIR]);

  it('the runtime role cannot move a chain head: UPDATE (last_seq - 1, last_occurred_at 2099) and INSERT are refused', async () => {
    const chainId = await chainWith(3);
    const runtime = new Client({ connectionString: t.db.appUrl });
    await runtime.connect();
    try {
      for (const sql of [
        `UPDATE audit_chain_heads SET last_seq = last_seq - 1 WHERE chain_id = $1`,
        `UPDATE audit_chain_heads SET last_occurred_at = '2099-01-01' WHERE chain_id = $1`,
        `INSERT INTO audit_chain_heads (chain_id, last_seq, last_hash) VALUES ($1::uuid, 9, repeat('a', 64))`,
        `DELETE FROM audit_chain_heads WHERE chain_id = $1`,
      ]) {
        const id = sql.startsWith('INSERT') ? randomUUID() : chainId;
        await expect(runtime.query(sql, [id])).rejects.toMatchObject({ code: '42501' });
      }
      // Appending (through audit_append) still works for the runtime role.
      await runtime.query(
        `SELECT * FROM audit_append(gen_random_uuid(), $1, 'tenant.updated', 'success', 'system', NULL, NULL, NULL,
           NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '{}')`,
        [chainId],
      );
    } finally {
      await runtime.end();
    }
    expect(await verifyApi(chainId)).toMatchObject({ ok: true, head_seq: 4 });
  });

  it('a head set to 2099 by the owner does not stamp later events in the future, and verify flags the head meanwhile', async () => {
    const chainId = await chainWith(2);
    await asOwner((db) =>
      db.query(`UPDATE audit_chain_heads SET last_occurred_at = '2099-01-01' WHERE chain_id = $1`, [chainId]).then(),
    );
    expect(await verifyApi(chainId)).toMatchObject({
      ok: false,
      first_broken_seq: 2,
      problems: [{ seq: 2, problem: 'head' }],
    });
    const [{ now }] = await t.db.query<{ now: Date }>('SELECT clock_timestamp() AS now');
    const appended = await t.app.get(AuditService).record(t.app.get(DataSource).manager, {
      action: 'tenant.updated',
      outcome: 'success',
      scope: issueTenantScope(chainId),
      ctx: AuditService.systemContext('tamper-test'),
    });
    expect(appended.occurredAt.getTime()).toBeLessThan(now.getTime() + 60_000);
    expect(appended.occurredAt.getFullYear()).toBeLessThan(2099);
    expect(await verifyApi(chainId)).toMatchObject({ ok: true, head_seq: 3 });
  });

  it('events stamped in the future by the owner, hashes recomputed, are reported by seq', async () => {
    const chainId = await chainWith(6);
    await rewriteSuffix(chainId, 4, (e) => (e.occurred_at = new Date('2099-01-01T00:00:00.000Z')));
    const verdict = await verifyApi(chainId);
    expect(verdict).toMatchObject({ ok: false, first_broken_seq: 4 });
    expect(verdict.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ seq: 4, problem: 'time_future' }),
        expect.objectContaining({ seq: 4, problem: 'time_order' }),
      ]),
    );
    expect((await cliDefault(chainId)).code).toBe(1);
  });

  it('deleting the newest events and rewinding the head: the checkpoint names the missing seq (API and CLI), also after new events chain on', async () => {
    const chainId = await chainWith(10);
    await t.app.get(AuditCheckpointer).run();
    const kept = (await events(chainId, 7))[0];
    await asOwner(async (db) => {
      await db.query(`DELETE FROM audit_events WHERE chain_id = $1 AND seq > 7`, [chainId]);
      await db.query(
        `UPDATE audit_chain_heads SET last_seq = 7, last_hash = $2, last_occurred_at = $3 WHERE chain_id = $1`,
        [chainId, kept.hash, kept.occurred_at],
      );
    });
    const api = await verifyApi(chainId);
    expect(api).toMatchObject({ ok: false, first_broken_seq: 8, head_seq: 7 });
    expect(api.problems).toContainEqual(expect.objectContaining({ seq: 8, problem: 'checkpoint_beyond_chain' }));
    const byCli = await cliDefault(chainId);
    expect(byCli).toMatchObject({ code: 1, verdict: { ok: false, first_broken_seq: 8 } });
    expect(byCli.err).toContain('seq 8');

    // New events chain on from the rewound head: event 10 now differs from the signed one.
    await t.app.get(AuditService).record(t.app.get(DataSource).manager, {
      action: 'tenant.updated',
      outcome: 'success',
      scope: issueTenantScope(chainId),
      ctx: AuditService.systemContext('tamper-test'),
    });
    for (let i = 0; i < 3; i += 1)
      await t.app.get(AuditService).record(t.app.get(DataSource).manager, {
        action: 'tenant.updated',
        outcome: 'success',
        scope: issueTenantScope(chainId),
        ctx: AuditService.systemContext('tamper-test'),
      });
    const after = await verifyApi(chainId);
    expect(after).toMatchObject({ ok: false, first_broken_seq: 10 });
    expect(after.problems).toContainEqual(expect.objectContaining({ seq: 10, problem: 'checkpoint_mismatch' }));

    // The owner also wipes the checkpoint table: the copies outside the database still tell.
    await asOwner((db) => db.query(`DELETE FROM audit_checkpoints WHERE chain_id = $1`, [chainId]).then());
    expect(await verifyApi(chainId)).toMatchObject({ ok: false, first_broken_seq: 10 }); // the file sink
    const keys = await request(t.url).get('/v1/audit-checkpoints/public-keys').set(admin());
    const pinned = keys.body.keys[0].verifier_key as string;
    const elsewhere = mkdtempSync(join(tmpdir(), 'auditor-copy-'));
    const copy = join(elsewhere, 'tenant.checkpoints');
    writeFileSync(copy, readFileSync(join(t.env.DATA_DIR, 'checkpoints', checkpointFileName(chainId))));
    const pinnedRun = await cli([
      '--tenant',
      chainId,
      '--database-url',
      t.db.appUrl,
      '--data-dir',
      elsewhere,
      '--checkpoint',
      copy,
      '--public-key',
      pinned,
    ]);
    expect(pinnedRun).toMatchObject({ code: 1, verdict: { ok: false, first_broken_seq: 10, checkpoints_checked: 1 } });
    expect(pinnedRun.err).toContain('seq 10');
  });

  it('rewriting a suffix with recomputed hashes (and the head): the checkpoint names the seq where the chain differs', async () => {
    const chainId = await chainWith(8);
    await t.app.get(AuditCheckpointer).run();
    await rewriteSuffix(chainId, 5, (e) => (e.subject_login = 'mallory'));
    // The chain is consistent in itself: without the checkpoint nothing would show.
    const verdict = await verifyApi(chainId);
    expect(verdict).toMatchObject({ ok: false, first_broken_seq: 8 });
    expect(verdict.problems.map((p) => p.problem)).toEqual(['checkpoint_mismatch', 'checkpoint_mismatch']);
    const byCli = await cliDefault(chainId);
    expect(byCli).toMatchObject({ code: 1, verdict: { first_broken_seq: 8 } });
    expect(byCli.err).toContain('seq 8');
    // And the next round refuses to sign over the rewritten history.
    await t.app.get(AuditService).record(t.app.get(DataSource).manager, {
      action: 'tenant.updated',
      outcome: 'success',
      scope: issueTenantScope(chainId),
      ctx: AuditService.systemContext('tamper-test'),
    });
    const round = await t.app.get(AuditCheckpointer).run();
    expect(round.refused).toEqual([expect.objectContaining({ chain_id: chainId, seq: 9 })]);
  });

  it('the CLI refuses checkpoints it cannot check (no key) and names a bad signature', async () => {
    const chainId = await chainWith(2);
    await t.app.get(AuditCheckpointer).run();
    const file = join(t.env.DATA_DIR, 'checkpoints', checkpointFileName(chainId));
    const empty = mkdtempSync(join(tmpdir(), 'no-key-'));
    const noKey = await cli([
      '--tenant',
      chainId,
      '--database-url',
      t.db.appUrl,
      '--data-dir',
      empty,
      '--checkpoint',
      file,
    ]);
    expect(noKey.code).toBe(2);
    expect(noKey.err).toMatch(/public key/);
    const forged = join(empty, 'forged.checkpoints');
    writeFileSync(forged, readFileSync(file, 'utf8').replace(/\n2\n/, '\n1\n'));
    const bad = await cli([
      '--tenant',
      chainId,
      '--database-url',
      t.db.appUrl,
      '--data-dir',
      t.env.DATA_DIR,
      '--checkpoint',
      forged,
    ]);
    expect(bad).toMatchObject({ code: 1, verdict: { ok: false } });
    expect(bad.verdict.problems).toContainEqual(expect.objectContaining({ problem: 'checkpoint_invalid' }));
  });
});
