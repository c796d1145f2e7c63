/**
 * Audit log benchmark: fills N events over T tenants, then measures first-page latency per
 * filter combination (the service's own SQL), export rate and verify rate.
 *
 *   npm run bench:audit -- [--events 10000000] [--tenants 1000] [--database-url postgres://...]
 *
 * DATABASE_URL (or --database-url) must name an empty database the bench may own: it runs the
 * migrations, then bulk-loads with the secondary indexes dropped and rebuilt afterwards (as
 * one would restore a dump). Hashes are chained per tenant with the broker's own eventHash.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Pool } from 'pg';
import { runMigrations } from '@app/database';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import {
  AuditCheckpointer,
  AuditCheckpointStore,
  AuditSigningKeyRing,
  CheckpointSigner,
  CheckpointWebhook,
  EVENT_BUDGET_PER_ROUND,
  eventHash,
  GENESIS_HASH,
  StoredChainedEvent,
  verifyChain,
  type CheckpointRoundResult,
} from '@app/audit';
import type { AuditEventFiltersDto } from '@app/audit';
import { listEventsSql } from '../libs/audit/src/store/audit-event-filter.sql';
import { prepareExport, streamExport } from '../libs/audit/src/store/audit-long-reads.store';
import { ALL_TENANTS, issueTenantScope, type TenantSelection } from '@app/common';

const args = Object.fromEntries(
  process.argv.slice(2).flatMap((arg, i, all) => (arg.startsWith('--') ? [[arg.slice(2), all[i + 1]]] : [])),
) as Record<string, string>;
const EVENTS = Number(args.events ?? 10_000_000);
const TENANTS = Number(args.tenants ?? 1000);
const DATABASE_URL = args['database-url'] ?? process.env.DATABASE_URL;
const BATCH = 5000;
const SAMPLES = 200;
const USERS_PER_TENANT = 200;
const KEYS_PER_TENANT = 3;

const ACTIONS: [string, number][] = [
  ['login_link.issued', 0.6],
  ['login_link.redeemed', 0.2],
  ['login_link.failed', 0.05],
  ['login_link.redeem_rejected', 0.02],
  ['connection.updated', 0.04],
  ['credential.rotated', 0.04],
  ['api_key.created', 0.03],
  ['tenant.updated', 0.02],
];

/** Plans printed after the timings. */
const EXPLAINED = ['tenant+login', 'tenant+connection_id', 'tenant+2 actions (rare)', 'tenant+3 actions+failure'];

function actionOf(i: number): string {
  return pickAction(((Math.imul(i, 2654435761) >>> 0) % 1000) / 1000);
}

function pickAction(r: number): string {
  let acc = 0;
  for (const [action, share] of ACTIONS) if ((acc += share) > r) return action;
  return ACTIONS[0][0];
}

interface Tenant {
  id: string;
  keys: string[];
  seq: number;
  prev: string;
}

async function fill(pool: Pool, tenants: Tenant[]): Promise<number> {
  const client = await pool.connect();
  const indexes = (
    await client.query<{ indexdef: string; indexname: string }>(
      `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'audit_events' AND indexname NOT IN ('audit_events_pkey', 'audit_events_chain_seq_key')`,
    )
  ).rows;
  for (const index of indexes) await client.query(`DROP INDEX ${index.indexname}`);
  const start = Date.now();
  const spanMs = 365 * 24 * 3600 * 1000;
  const t0 = Date.now() - spanMs;
  const columns = [
    'id',
    'chain_id',
    'tenant_id',
    'seq',
    'occurred_at',
    'action',
    'outcome',
    'actor_type',
    'actor_id',
    'actor_role',
    'ip',
    'user_agent',
    'request_id',
    'connection_id',
    'provider',
    'subject_login',
    'link_id',
    'token_fingerprint',
    'error_code',
    'metadata',
    'prev_hash',
    'hash',
  ];
  const types = [
    'uuid',
    'uuid',
    'uuid',
    'int8',
    'timestamptz',
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'jsonb',
    'text',
    'text',
  ];
  const sql = `INSERT INTO audit_events (${columns.join(', ')}) SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`;
  for (let offset = 0; offset < EVENTS; offset += BATCH) {
    const cols: unknown[][] = columns.map(() => []);
    for (let i = offset; i < Math.min(offset + BATCH, EVENTS); i += 1) {
      const tenant = tenants[i % tenants.length];
      tenant.seq += 1;
      const local = Math.floor(i / tenants.length);
      const action = actionOf(i);
      const failed = action === 'login_link.failed' || action === 'login_link.redeem_rejected';
      const isLink = action.startsWith('login_link.');
      const event: StoredChainedEvent = {
        id: randomUUID(),
        tenant_id: tenant.id,
        seq: String(tenant.seq),
        occurred_at: new Date(t0 + Math.floor((i * spanMs) / EVENTS)),
        action,
        outcome: failed ? 'failure' : 'success',
        actor_type: action === 'login_link.redeemed' ? 'anonymous' : 'api_key',
        actor_id: action === 'login_link.redeemed' ? null : tenant.keys[local % KEYS_PER_TENANT],
        actor_role: action === 'login_link.redeemed' ? null : 'portal',
        ip: '198.51.100.7',
        user_agent: 'Mozilla/5.0 (bench)',
        request_id: `req-${i}`,
        connection_id: isLink ? tenant.keys[0] : null,
        provider: isLink ? (local % 2 ? 'acronis' : 'flussonic') : null,
        subject_login: isLink ? `user${(local * 7919) % USERS_PER_TENANT}@${tenant.id.slice(0, 8)}.example` : null,
        subject_user_id: null,
        subject_external_id: null,
        link_id: isLink ? `lnk-${i}` : null,
        token_fingerprint: isLink && !failed ? (i * 1e6).toString(16).padStart(16, '0').slice(0, 16) : null,
        error_code: failed ? 'upstream_timeout' : null,
        metadata: isLink ? { delivery: i % 3 ? 'direct' : 'launch' } : {},
        prev_hash: tenant.prev,
        hash: '',
      };
      event.hash = eventHash(event);
      tenant.prev = event.hash;
      const row = [
        event.id,
        event.tenant_id,
        event.tenant_id,
        event.seq,
        event.occurred_at,
        event.action,
        event.outcome,
        event.actor_type,
        event.actor_id,
        event.actor_role,
        event.ip,
        event.user_agent,
        event.request_id,
        event.connection_id,
        event.provider,
        event.subject_login,
        event.link_id,
        event.token_fingerprint,
        event.error_code,
        JSON.stringify(event.metadata),
        event.prev_hash,
        event.hash,
      ];
      row.forEach((value, c) => cols[c].push(value));
    }
    await client.query(sql, cols);
    if ((offset / BATCH) % 100 === 0)
      process.stdout.write(
        `  loaded ${offset + BATCH} events (${Math.round((offset + BATCH) / ((Date.now() - start) / 1000))}/s)\n`,
      );
  }
  const loadSeconds = (Date.now() - start) / 1000;
  console.log(`load: ${EVENTS} events in ${loadSeconds.toFixed(1)} s (${Math.round(EVENTS / loadSeconds)} events/s)`);
  const indexStart = Date.now();
  await client.query("SET maintenance_work_mem = '512MB'");
  for (const index of indexes) await client.query(index.indexdef);
  await client.query(
    `INSERT INTO audit_chain_heads (chain_id, last_seq, last_hash) SELECT unnest($1::uuid[]), unnest($2::int8[]), unnest($3::text[])`,
    [tenants.map((t) => t.id), tenants.map((t) => t.seq), tenants.map((t) => t.prev)],
  );
  await client.query('VACUUM ANALYZE audit_events');
  console.log(`indexes rebuilt and analysed in ${((Date.now() - indexStart) / 1000).toFixed(1)} s`);
  client.release();
  return loadSeconds;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function firstPages(pool: Pool, tenants: Tenant[]): Promise<void> {
  const tenantOf = (i: number) => tenants[(i * 37) % tenants.length];
  const loginOf = (t: Tenant, i: number) => `user${(i * 13) % USERS_PER_TENANT}@${t.id.slice(0, 8)}.example`;
  const month = 30 * 24 * 3600 * 1000;
  const rangeOf = (i: number) => {
    const to = Date.now() - ((i * 7) % 300) * 24 * 3600 * 1000;
    return { from: new Date(to - month).toISOString(), to: new Date(to).toISOString() };
  };
  const eventOf = (i: number) => (i * 7919) % EVENTS;
  const linkEvent = (i: number) => {
    // An event index that is a login link event (its link_id and request_id are known).
    for (let e = eventOf(i); ; e = (e + 1) % EVENTS) if (actionOf(e).startsWith('login_link.')) return e;
  };
  const combos: [string, (i: number) => { filters: AuditEventFiltersDto; tenant?: string }][] = [
    ['(none)', () => ({ filters: {} })],
    ['tenant', (i) => ({ filters: {}, tenant: tenantOf(i).id })],
    ['tenant+action', (i) => ({ filters: { action: ['credential.rotated'] }, tenant: tenantOf(i).id })],
    ['tenant+outcome=failure', (i) => ({ filters: { outcome: 'failure' }, tenant: tenantOf(i).id })],
    ['tenant+login', (i) => ({ filters: { login: loginOf(tenantOf(i), i) }, tenant: tenantOf(i).id })],
    ['tenant+actor', (i) => ({ filters: { actor_id: tenantOf(i).keys[i % KEYS_PER_TENANT] }, tenant: tenantOf(i).id })],
    ['tenant+from/to (30 days)', (i) => ({ filters: rangeOf(i), tenant: tenantOf(i).id })],
    [
      'tenant+action+outcome+from/to',
      (i) => ({
        filters: { action: ['login_link.failed'], outcome: 'failure', ...rangeOf(i) },
        tenant: tenantOf(i).id,
      }),
    ],
    ['action', () => ({ filters: { action: ['tenant.updated'] } })],
    ['action+from/to', (i) => ({ filters: { action: ['login_link.redeem_rejected'], ...rangeOf(i) } })],
    ['actor', (i) => ({ filters: { actor_id: tenantOf(i).keys[i % KEYS_PER_TENANT] } })],
    ['login', (i) => ({ filters: { login: loginOf(tenantOf(i), i) } })],
    ['outcome=failure', () => ({ filters: { outcome: 'failure' } })],
    ['from/to (30 days)', (i) => ({ filters: rangeOf(i) })],
    // Added with SIEM pulls.
    ['tenant+connection_id', (i) => ({ filters: { connection_id: tenantOf(i).keys[0] }, tenant: tenantOf(i).id })],
    ['connection_id', (i) => ({ filters: { connection_id: tenantOf(i).keys[0] } })],
    ['link_id', (i) => ({ filters: { link_id: `lnk-${linkEvent(i)}` } })],
    [
      'tenant+link_id',
      (i) => ({ filters: { link_id: `lnk-${linkEvent(i)}` }, tenant: tenants[linkEvent(i) % tenants.length].id }),
    ],
    ['request_id', (i) => ({ filters: { request_id: `req-${eventOf(i)}` } })],
    ['tenant+provider', (i) => ({ filters: { provider: 'flussonic' }, tenant: tenantOf(i).id })],
    ['provider', () => ({ filters: { provider: 'acronis' } })],
    ['tenant+provider (no match)', (i) => ({ filters: { provider: 'none' }, tenant: tenantOf(i).id })],
    ['provider (no match)', () => ({ filters: { provider: 'none' } })],
    ['2 actions (common)', () => ({ filters: { action: ['login_link.issued', 'login_link.redeemed'] } })],
    ['2 actions (rare)', () => ({ filters: { action: ['tenant.updated', 'api_key.created'] } })],
    ['2 actions (rare+common)', () => ({ filters: { action: ['tenant.updated', 'login_link.redeemed'] } })],
    [
      'tenant+2 actions (rare)',
      (i) => ({ filters: { action: ['tenant.updated', 'credential.rotated'] }, tenant: tenantOf(i).id }),
    ],
    [
      'tenant+3 actions+failure',
      (i) => ({
        filters: { action: ['login_link.failed', 'login_link.redeem_rejected', 'tenant.updated'], outcome: 'failure' },
        tenant: tenantOf(i).id,
      }),
    ],
    [
      'tenant pull: asc after_seq',
      (i) => ({ filters: { order: 'asc', after_seq: String((i * 37) % 9000) }, tenant: tenantOf(i).id }),
    ],
    [
      'tenant pull: asc after_seq+action',
      (i) => ({
        filters: { order: 'asc', after_seq: String((i * 37) % 9000), action: ['login_link.redeemed'] },
        tenant: tenantOf(i).id,
      }),
    ],
  ];
  console.log('\nfirst page (limit 50), newest first, %d samples each:', SAMPLES);
  console.log('combination'.padEnd(34), 'p50 ms'.padStart(8), 'p95 ms'.padStart(8), 'rows'.padStart(6));
  for (const [name, make] of combos) {
    const times: number[] = [];
    let rows = 0;
    for (let i = 0; i < SAMPLES + 20; i += 1) {
      const { filters, tenant } = make(i);
      // The store's own statement (AuditStore.list).
      const { sql, params } = listEventsSql(filters, selectionOf(tenant), undefined, 51);
      const started = process.hrtime.bigint();
      const result = await pool.query(sql, params);
      if (i >= 20) times.push(Number(process.hrtime.bigint() - started) / 1e6);
      rows = result.rowCount ?? 0;
    }
    times.sort((a, b) => a - b);
    console.log(
      name.padEnd(34),
      percentile(times, 50).toFixed(2).padStart(8),
      percentile(times, 95).toFixed(2).padStart(8),
      String(rows).padStart(6),
    );
  }
  for (const [name, make] of combos.filter(([n]) => EXPLAINED.includes(n))) {
    const { filters, tenant } = make(1);
    const { sql, params } = listEventsSql(filters, selectionOf(tenant), undefined, 51);
    const plan = await pool.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
    console.log(`\nEXPLAIN ${name}:\n` + plan.rows.map((r) => `  ${r['QUERY PLAN']}`).join('\n'));
  }
}

function selectionOf(tenantId: string | undefined): TenantSelection {
  return tenantId === undefined ? ALL_TENANTS : issueTenantScope(tenantId);
}

/** The store's own export path (prepareExport + COPY), over every event. */
async function exportRate(pool: Pool, format: 'ndjson' | 'csv'): Promise<void> {
  const client = await pool.connect();
  let bytes = 0;
  let lines = 0;
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      bytes += chunk.length;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
      done();
    },
  });
  const started = Date.now();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const timer = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  }, 50);
  const { loopMaxMs } = await holdingTheLoop(async () => {
    const prepared = await prepareExport(client, {}, ALL_TENANTS, format);
    // The store's own streaming (COPY, and for NDJSON the metadata pass); it commits and releases.
    await streamExport(client, prepared.sql, format, sink);
  });
  clearInterval(timer);
  const seconds = (Date.now() - started) / 1000;
  const events = format === 'csv' ? lines - 1 : lines;
  console.log(
    `export ${format}: ${events} events in ${seconds.toFixed(1)} s = ${Math.round(events / seconds)} events/s, ${(bytes / 1e6 / seconds).toFixed(1)} MB/s, RSS growth ${((rssPeak - rssBefore) / 1e6).toFixed(1)} MB, event loop held ${loopMaxMs.toFixed(1)} ms at most`,
  );
}

async function verifyRate(pool: Pool, tenants: Tenant[], signer: CheckpointSigner): Promise<void> {
  for (const keys of [[], signer.verifierKeys()]) {
    const client = await pool.connect();
    let events = 0;
    let checkpoints = 0;
    const started = Date.now();
    const { loopMaxMs } = await holdingTheLoop(async () => {
      for (const tenant of tenants.slice(0, 20)) {
        const verdict = await verifyChain(client, tenant.id, { keys });
        if (!verdict.ok) throw new Error(`chain of ${tenant.id} broken at ${verdict.first_broken_seq}`);
        events += verdict.events_checked;
        checkpoints += verdict.checkpoints_checked;
      }
    });
    client.release();
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `verify${keys.length ? ' with checkpoints' : ' (no keys)'}: ${events} events, ${checkpoints} checkpoints over 20 chains in ${seconds.toFixed(1)} s = ${Math.round(events / seconds)} events/s (all ok), event loop held ${loopMaxMs.toFixed(1)} ms at most`,
    );
  }
}

const APPEND_SQL = `SELECT * FROM audit_append($1, $2, 'tenant.updated', 'success', 'system', 'bench', NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '{}')`;

/** `perChain` events on each chain, 4 connections at a time (each chain's events in order). */
async function appendTo(pool: Pool, chains: readonly string[], perChain: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let i = next++; i < chains.length; i = next++)
        for (let n = 0; n < perChain; n += 1) await pool.query(APPEND_SQL, [randomUUID(), chains[i]]);
    }),
  );
}

/**
 * `work`, and the longest the event loop was held while it ran: what a request in flight on the
 * same instance would wait at worst (checkpoint rounds and the verify route run beside the links).
 */
async function holdingTheLoop<T>(work: () => Promise<T>): Promise<{ result: T; loopMaxMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  try {
    const result = await work();
    return { result, loopMaxMs: delay.max / 1e6 };
  } finally {
    delay.disable();
  }
}

async function timedRound(label: string, checkpointer: AuditCheckpointer): Promise<CheckpointRoundResult> {
  const { result: r, loopMaxMs } = await holdingTheLoop(() => checkpointer.run());
  console.log(
    `  ${label.padEnd(44)} ${r.ms.toFixed(0).padStart(6)} ms, ${String(r.statements).padStart(3)} statements, ${String(r.chains_moved).padStart(5)} chains, ${String(r.events_verified).padStart(7)} events verified, ${String(r.checkpoints).padStart(5)} checkpoints, event loop held ${loopMaxMs.toFixed(1)} ms at most ${JSON.stringify(r.phases_ms)}`,
  );
  return r;
}

/**
 * The checkpoint round: catching up on the loaded log (first checkpoints, verified from the
 * genesis within the per-round budget), then 1,000 chains that each moved, then dense
 * checkpoints (one per 100 events) on a few chains for the verify figures.
 */
async function checkpointRounds(tenants: Tenant[], pool: Pool): Promise<CheckpointSigner> {
  const dataSource = await new DataSource({ type: 'postgres', url: DATABASE_URL, extra: { max: 4 } }).initialize();
  const store = new AuditCheckpointStore(dataSource);
  const settings = {
    intervalSeconds: 0,
    directory: mkdtempSync(join(tmpdir(), 'bench-checkpoints-')),
    webhookUrl: null,
  };
  const signer = new CheckpointSigner(
    AuditSigningKeyRing.parse(AuditSigningKeyRing.generateEntry()),
    'bench.example/audit',
  );
  const checkpointer = new AuditCheckpointer(store, signer, new CheckpointWebhook(store, settings), settings);
  console.log(`\ncheckpoint rounds (budget ${EVENT_BUDGET_PER_ROUND} events verified per round):`);
  for (let round = 1; ; round += 1) {
    const result = await timedRound(`catch-up round ${round} (${tenants.length} loaded chains)`, checkpointer);
    if (result.chains_moved === 0 || round > 50) break;
  }
  const chains = Array.from({ length: 1000 }, () => randomUUID());
  await appendTo(pool, chains, 1);
  await timedRound('1,000 new chains, 1 event each', checkpointer);
  for (let repeat = 1; repeat <= 3; repeat += 1) {
    await appendTo(pool, chains, 5);
    await timedRound(`1,000 moving chains, 5 events each (#${repeat})`, checkpointer);
  }
  await timedRound('nothing moved', checkpointer);
  // One checkpoint per 100 events on the first 5 loaded chains, for verify.
  for (const tenant of tenants.slice(0, 5)) {
    const rows = await pool.query<{ seq: string; hash: string }>(
      `SELECT seq::text AS seq, hash FROM audit_events WHERE chain_id = $1 AND seq % 100 = 0`,
      [tenant.id],
    );
    const made = rows.rows.map((row) => ({
      ...signer.sign({ chainId: tenant.id, seq: row.seq, hash: row.hash, time: new Date() }),
      ...row,
    }));
    await pool.query(
      `INSERT INTO audit_checkpoints (chain_id, tenant_id, seq, hash, checkpointed_at, key_id, note)
       SELECT $1, $1, s, h, now(), k, n FROM unnest($2::int8[], $3::text[], $4::text[], $5::text[]) AS x(s, h, k, n)
       ON CONFLICT (chain_id, seq) DO NOTHING`,
      [tenant.id, made.map((m) => m.seq), made.map((m) => m.hash), made.map((m) => m.keyId), made.map((m) => m.note)],
    );
  }
  await dataSource.destroy();
  return signer;
}

async function main(): Promise<void> {
  if (!DATABASE_URL) throw new Error('set DATABASE_URL or --database-url to an empty database');
  await runMigrations(DATABASE_URL);
  const pool = new Pool({ connectionString: DATABASE_URL, max: 4 });
  const existing = await pool.query<{ n: string }>('SELECT count(*) AS n FROM audit_events');
  if (existing.rows[0].n !== '0')
    throw new Error('the database already holds audit events: give the bench an empty database');
  const tenants: Tenant[] = Array.from({ length: TENANTS }, () => ({
    id: randomUUID(),
    keys: Array.from({ length: KEYS_PER_TENANT }, () => randomUUID()),
    seq: 0,
    prev: GENESIS_HASH,
  }));
  console.log(`audit bench: ${EVENTS} events over ${TENANTS} tenants`);
  await fill(pool, tenants);
  const size = await pool.query<{ table: string; indexes: string }>(
    `SELECT pg_size_pretty(pg_table_size('audit_events')) AS table, pg_size_pretty(pg_indexes_size('audit_events')) AS indexes`,
  );
  console.log(`size: table ${size.rows[0].table}, indexes ${size.rows[0].indexes}`);
  await firstPages(pool, tenants);
  console.log('');
  await exportRate(pool, 'ndjson');
  await exportRate(pool, 'csv');
  const signer = await checkpointRounds(tenants, pool);
  await verifyRate(pool, tenants, signer);
  await pool.end();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
