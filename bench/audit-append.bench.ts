/**
 * Append cost before and after `audit_append(...)` (migration 1764520000000-AuditAppendFunction),
 * A/B interleaved on one database so that a busy shared machine slows both arms alike:
 *
 *   npm run bench:audit-append -- [--rounds 7] [--appends 2000] [--database-url postgres://...]
 *
 * DATABASE_URL must name an empty database the bench may own (it runs the migrations and
 * appends as the owner, which the "before" statement needs: it writes the heads itself).
 * Workloads: one chain from one connection; one chain from 8 connections (all writers queue on
 * the head row); 8 connections on 8 chains (no contention). Each round runs both arms, in
 * alternating order, and the report gives the median appends/s per arm and workload.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { runMigrations } from '@app/database';

const args = Object.fromEntries(
  process.argv.slice(2).flatMap((arg, i, all) => (arg.startsWith('--') ? [[arg.slice(2), all[i + 1]]] : [])),
) as Record<string, string>;
const ROUNDS = Number(args.rounds ?? 7);
const APPENDS = Number(args.appends ?? 2000);
const DATABASE_URL = args['database-url'] ?? process.env.DATABASE_URL;

const json = (expr: string) => `coalesce(to_json((${expr})::text)::text, 'null')`;

/** The one-statement append as it was before the function (git history of libs/audit/src/store/append-event.sql.ts). */
const BEFORE_SQL = `
  WITH head AS (
    SELECT h.last_seq + 1 AS seq, h.last_hash::text AS prev_hash,
      GREATEST(date_trunc('milliseconds', clock_timestamp()), h.last_occurred_at) AS occurred_at
    FROM audit_chain_heads h WHERE h.chain_id = $2::uuid FOR UPDATE
  ), ev AS (
    SELECT $1::uuid AS id, $3::uuid AS tenant_id, head.seq, head.occurred_at, $4::text AS action, $5::text AS outcome,
      $6::text AS actor_type, $7::text AS actor_id, $8::text AS actor_role, $9::text AS ip, $10::text AS user_agent,
      $11::text AS request_id, $12::text AS connection_id, $13::text AS provider, $14::text AS subject_login,
      $15::text AS subject_user_id, $16::text AS subject_external_id, $17::text AS link_id,
      $18::text AS token_fingerprint, $19::text AS error_code, $20::text AS metadata, head.prev_hash
    FROM head
  ), hashed AS (
    SELECT ev.*, encode(sha256(convert_to('[' || concat_ws(',',
      ${json(`'sso-broker.audit.v1'`)}, ${json('ev.id')}, ${json('ev.tenant_id')}, ${json('ev.seq')},
      ${json(`to_char(ev.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`)},
      ${json('ev.action')}, ${json('ev.outcome')}, ${json('ev.actor_type')}, ${json('ev.actor_id')},
      ${json('ev.actor_role')}, ${json('ev.ip')}, ${json('ev.user_agent')}, ${json('ev.request_id')},
      ${json('ev.connection_id')}, ${json('ev.provider')}, ${json('ev.subject_login')},
      ${json('ev.subject_user_id')}, ${json('ev.subject_external_id')}, ${json('ev.link_id')},
      ${json('ev.token_fingerprint')}, ${json('ev.error_code')}, ${json('ev.metadata')}, ${json('ev.prev_hash')}
    ) || ']', 'UTF8')), 'hex') AS hash
    FROM ev
  ), appended AS (
    INSERT INTO audit_events (
      id, chain_id, tenant_id, seq, occurred_at, action, outcome, actor_type, actor_id, actor_role,
      ip, user_agent, request_id, connection_id, provider, subject_login, subject_user_id,
      subject_external_id, link_id, token_fingerprint, error_code, metadata, prev_hash, hash)
    SELECT id, $2::uuid, tenant_id, seq, occurred_at, action, outcome, actor_type, actor_id, actor_role,
      ip, user_agent, request_id, connection_id, provider, subject_login, subject_user_id,
      subject_external_id, link_id, token_fingerprint, error_code, metadata::jsonb, prev_hash, hash
    FROM hashed
    RETURNING id, seq, occurred_at, hash
  ), advanced AS (
    UPDATE audit_chain_heads h SET last_seq = a.seq, last_hash = a.hash, last_occurred_at = a.occurred_at
    FROM appended a WHERE h.chain_id = $2::uuid
    RETURNING a.id, a.seq::text AS seq, a.occurred_at, a.hash
  )
  SELECT id, seq, occurred_at, hash FROM advanced`;
const BEFORE_CREATE_HEAD = `INSERT INTO audit_chain_heads (chain_id, last_seq, last_hash) VALUES ($1::uuid, 0, $2) ON CONFLICT (chain_id) DO NOTHING`;

/** The statement AuditStore sends now (libs/audit/src/store/append-event.sql.ts, no companion). */
const AFTER_SQL = `WITH appended AS (SELECT * FROM audit_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19))
  SELECT id, seq::text AS seq, occurred_at, hash FROM appended`;

type Arm = 'before' | 'after';

/** Every field after the tenant id ($3.. of the function, $4.. of the old statement). */
function fields(i: number): unknown[] {
  return [
    'login_link.issued',
    'success',
    'api_key',
    'key-1',
    'portal',
    '198.51.100.7',
    'bench/1',
    `req-${i}`,
    'conn-1',
    'acronis',
    `user${i % 200}`,
    null,
    null,
    `lnk-${i}`,
    '0123456789abcdef',
    null,
    '{"delivery":"direct"}',
  ];
}

async function append(pool: Pool, arm: Arm, chain: string, i: number): Promise<void> {
  if (arm === 'after') {
    await pool.query(AFTER_SQL, [randomUUID(), chain, ...fields(i)]);
    return;
  }
  const params = [randomUUID(), chain, chain, ...fields(i)];
  const result = await pool.query(BEFORE_SQL, params);
  if (result.rowCount === 0) {
    await pool.query(BEFORE_CREATE_HEAD, [chain, '0'.repeat(64)]);
    await pool.query(BEFORE_SQL, params);
  }
}

/** appends/s of `APPENDS` appends spread over `connections` writers on `chains` chains. */
async function workload(pool: Pool, arm: Arm, connections: number, chains: number): Promise<number> {
  const ids = Array.from({ length: chains }, () => randomUUID());
  const perWriter = Math.floor(APPENDS / connections);
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: connections }, async (_, w) => {
      for (let i = 0; i < perWriter; i += 1) await append(pool, arm, ids[w % chains], w * perWriter + i);
    }),
  );
  return (perWriter * connections) / (Number(process.hrtime.bigint() - started) / 1e9);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  if (!DATABASE_URL) throw new Error('set DATABASE_URL or --database-url to an empty database');
  await runMigrations(DATABASE_URL);
  const pool = new Pool({ connectionString: DATABASE_URL, max: 8 });
  const workloads: Array<[string, number, number]> = [
    ['one chain, 1 connection', 1, 1],
    ['one chain, 8 connections', 8, 1],
    ['8 chains, 8 connections', 8, 8],
  ];
  const rates = new Map<string, number[]>();
  // Warm-up: plans, caches, the first head rows.
  for (const arm of ['before', 'after'] as const) await workload(pool, arm, 8, 8);
  for (let round = 0; round < ROUNDS; round += 1) {
    const order: Arm[] = round % 2 === 0 ? ['before', 'after'] : ['after', 'before'];
    for (const [name, connections, chains] of workloads)
      for (const arm of order) {
        const key = `${name}|${arm}`;
        rates.set(key, [...(rates.get(key) ?? []), await workload(pool, arm, connections, chains)]);
      }
  }
  console.log(`appends/s, median of ${ROUNDS} interleaved rounds of ${APPENDS} appends (same tables and indexes):`);
  console.log('workload'.padEnd(28), 'before'.padStart(8), 'after'.padStart(8), 'change'.padStart(8));
  for (const [name] of workloads) {
    const before = median(rates.get(`${name}|before`)!);
    const after = median(rates.get(`${name}|after`)!);
    console.log(
      name.padEnd(28),
      before.toFixed(0).padStart(8),
      after.toFixed(0).padStart(8),
      `${(((after - before) / before) * 100).toFixed(1)}%`.padStart(8),
    );
  }
  await pool.end();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
