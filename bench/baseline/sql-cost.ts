import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Client, QueryConfig } from 'pg';
import { createBenchDatabase, withClient } from '../harness/bench-database';
import { markdown } from '../harness/report';
import { runPrepared } from '../../libs/database/src/prepared-query';
import { APPEND_LINK_AND_EVENT_SQL as APPEND_V1, RESOLVE_SQL as RESOLVE_V1 } from './v1/audit-append-v1.sql';
import { APPEND_LINK_AND_EVENT_SQL, APPEND_LINKS_AND_EVENTS_SQL, RESOLVE_AND_CHARGE_SQL } from './baseline.sql';
import { appendBatchSql } from '../../libs/audit/src/store/append-event.sql';
import { companionParams, type CompanionWrite } from '../../libs/audit/src/store/companion-write';
import { linkRecordOf } from '../../libs/links/src/store/login-links.store';
import type { LoginSubject } from '../../libs/providers/src/login-link-provider.interface';
import { pgArrayColumns } from '../../libs/database/src/pg-array';
import { linkTargetWithPrelude } from '../../libs/connections/src/connections.store';
import { chargePrelude } from '../../libs/rate-limit/src/postgres-throttler.storage';

/**
 * `node dist/bench/baseline/sql-cost.js [--iterations 2000]`: what each statement of the hot path
 * costs PostgreSQL, one client, one statement at a time (no contention, so no lock waits): the
 * backend's CPU from /proc/<pg_backend_pid()>/stat, the client's from process.cpuUsage(), and the
 * wall time (which for a write includes the commit's WAL flush). Unnamed statements (what
 * `pool.query(text, values)` and TypeORM's `query()` send: parsed and planned every time) against
 * named ones (prepared once per connection, then only bound and executed), and named ones run as
 * the broker runs them, through `PreparedQuery` (rows built from a shape kept per statement,
 * docs/performance.md#prepared-query).
 */
const { values: flags } = parseArgs({
  options: { iterations: { type: 'string', default: '2000' }, only: { type: 'string' } },
});
const N = Number(flags.iterations);

function backendTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

interface Fixture {
  tenantId: string;
  keyId: string;
  keyHash: Buffer;
  connectionId: string;
}

async function fixture(ownerUrl: string): Promise<Fixture> {
  return withClient(ownerUrl, async (c) => {
    const tenantId = randomUUID();
    const keyId = randomUUID();
    const connectionId = randomUUID();
    const keyHash = createHash('sha256').update(randomBytes(32)).digest();
    await c.query(`INSERT INTO tenants (id, slug, name) VALUES ($1, 'sql-cost', 'SQL cost')`, [tenantId]);
    await c.query(
      `INSERT INTO api_keys (id, name, role, tenant_id, prefix, key_hash) VALUES ($1, 'k', 'portal', $2, 'sbk_p_x', $3)`,
      [keyId, tenantId, keyHash],
    );
    await c.query(
      `INSERT INTO connections (id, tenant_id, name, provider, base_url, settings) VALUES ($1, $2, 'acronis', 'acronis', 'http://127.0.0.1:1', '{"default_target_uri":"https://portal.example/"}')`,
      [connectionId, tenantId],
    );
    await c.query(
      `INSERT INTO connection_secrets (connection_id, tenant_id, version, kind, master_key_version, wrapped_key, ciphertext) VALUES ($1, $2, 1, 'acronis', 'v1', $3, $4)`,
      [connectionId, tenantId, randomBytes(60), randomBytes(80)],
    );
    await c.query(`INSERT INTO audit_chain_heads (chain_id, last_seq, last_hash) VALUES ($1, 0, $2)`, [
      tenantId,
      '0'.repeat(64),
    ]);
    return { tenantId, keyId, keyHash, connectionId };
  });
}

function appendParams(f: Fixture): unknown[] {
  const expiresAt = new Date(Date.now() + 30_000).toISOString();
  return [
    f.tenantId,
    randomUUID(),
    f.keyId,
    '127.0.0.1',
    randomUUID(),
    f.connectionId,
    'acronis',
    'alice@customer-a.example',
    randomUUID(),
    'abcdef0123456789',
    `{"delivery":"direct","expires_at":${JSON.stringify(expiresAt)}}`,
    JSON.stringify({ login: 'alice@customer-a.example' }),
    expiresAt,
  ];
}

/** The broker's parameters for one link's event and record, as AuditStore.append builds them for its batch. */
function brokerAppendParams(f: Fixture): unknown[] {
  const [, eventId, keyId, ip, requestId, connectionId, provider, login, linkId, fingerprint, metadata, , expiresAt] =
    appendParams(f);
  return [
    eventId,
    f.tenantId,
    'login_link.issued',
    'success',
    'api_key',
    keyId,
    'portal',
    ip,
    null,
    requestId,
    connectionId,
    provider,
    login,
    null,
    null,
    linkId,
    fingerprint,
    null,
    metadata,
    ...companionParams(brokerLinkRecord({ login: login as string }, expiresAt as string)),
  ];
}

/** The login-link record the broker writes with its event (a direct link's). */
const brokerLinkRecord = (subject: LoginSubject, expiresAt: string): CompanionWrite =>
  linkRecordOf({ delivery: 'direct', subject, targetUri: null, sessionLifetime: null, tokenHash: null, expiresAt });

/**
 * `links` rows of parameters turned into one array per parameter, as the baseline's batcher sends
 * them (node-postgres encodes them; the broker's go through pgArrayColumns, as AuditStore's do).
 */
const columnsOf = (links: unknown[][]): unknown[][] => links[0].map((_, k) => links.map((link) => link[k]));

function batchVariants(size: number): Variant[] {
  const brokerSql = appendBatchSql([brokerLinkRecord({}, '')]);
  if (brokerSql === null) throw new Error('the link record has no batch form');
  const links = (f: Fixture, params: (f: Fixture) => unknown[]) => Array.from({ length: size }, () => params(f));
  return [
    {
      name: `append ${size} links in one statement, the baseline's (13 arrays)`,
      run: (c, f, named) =>
        c.query(q(named, `baseline-batch`, APPEND_LINKS_AND_EVENTS_SQL, columnsOf(links(f, appendParams)))),
    },
    {
      name: `append ${size} links in one statement, the broker's (25 arrays)`,
      run: (c, f, named) => c.query(q(named, `broker-batch`, brokerSql, pgArrayColumns(links(f, brokerAppendParams)))),
    },
  ];
}

interface Variant {
  name: string;
  run: (client: Client, f: Fixture, named: boolean) => Promise<unknown>;
}

const q = (named: boolean, name: string, text: string, values: unknown[]): QueryConfig =>
  named ? { name, text, values } : { text, values };

type Mode = 'unnamed' | 'named' | 'PreparedQuery';
const MODES: Mode[] = ['unnamed', 'named', 'PreparedQuery'];

/** The client as the variants see it: in PreparedQuery mode, named statements go through PreparedQuery. */
function clientFor(client: Client, mode: Mode): Client {
  if (mode !== 'PreparedQuery') return client;
  const query = async (config: string | QueryConfig) => {
    if (typeof config === 'string' || config.name === undefined) return client.query(config);
    const statement = { name: config.name, text: config.text };
    return { rows: await runPrepared(client, statement, config.values ?? []) };
  };
  return { query } as unknown as Client;
}

const LIMITS = [60_000, 10_000_000, 10_000_000];

/** The broker's charge of two budgets in one statement (libs/rate-limit/src/postgres-throttler.storage.ts, same shape). */
const BROKER_CHARGE_SQL = (() => {
  const charge = (i: number, p: number, earlier: string) => `c${i} AS (
    INSERT INTO rate_limit_buckets AS b (key, hits, window_ends_at, blocked_until)
    SELECT $${p}::text, 1, now() + $${p + 1}::int * interval '1 millisecond',
           CASE WHEN 1 > $${p + 2}::int THEN greatest(now() + $${p + 1}::int * interval '1 millisecond', now() + $${p + 3}::int * interval '1 millisecond') END
    ${earlier}
    ON CONFLICT (key) DO UPDATE SET
      hits = CASE WHEN b.window_ends_at <= now() THEN 1 ELSE b.hits + 1 END,
      window_ends_at = CASE WHEN b.window_ends_at <= now() THEN excluded.window_ends_at ELSE b.window_ends_at END,
      blocked_until = CASE
        WHEN b.blocked_until > now() THEN b.blocked_until
        WHEN (CASE WHEN b.window_ends_at <= now() THEN 1 ELSE b.hits + 1 END) > $${p + 2}::int THEN greatest(
          CASE WHEN b.window_ends_at <= now() THEN excluded.window_ends_at ELSE b.window_ends_at END,
          now() + $${p + 3}::int * interval '1 millisecond')
      END
    RETURNING key, hits,
      ceil(extract(epoch FROM window_ends_at - now()))::int AS expires_in,
      ceil(extract(epoch FROM coalesce(blocked_until, now()) - now()))::int AS blocked_for)`;
  return `WITH ${charge(0, 1, '')},\n${charge(4, 5, 'WHERE NOT EXISTS (SELECT 1 FROM c0 WHERE blocked_for > 0)')}
  SELECT * FROM c0 UNION ALL SELECT * FROM c4`;
})();

const VARIANTS: Variant[] = [
  {
    name: 'v1 resolve (key + connection + secret)',
    run: (c, f, named) => c.query(q(named, 'v1-resolve', RESOLVE_V1, [f.keyHash, 'acronis'])),
  },
  {
    name: "broker's rate-limit charge (2 upserts)",
    run: (c, f, named) =>
      c.query(
        q(named, 'broker-charge', BROKER_CHARGE_SQL, [
          `key:${f.keyId}`,
          60_000,
          10_000_000,
          0,
          `tenant:${f.tenantId}`,
          60_000,
          10_000_000,
          0,
        ]),
      ),
  },
  {
    name: "broker's link-target read with the key's and the tenant's charges folded in",
    run: (c, f, named) => {
      const prelude = chargePrelude([
        { key: `key:${f.keyId}`, ttl: 60_000, limit: 10_000_000, blockDuration: 0 },
        { key: `tenant:${f.tenantId}`, ttl: 60_000, limit: 10_000_000, blockDuration: 0 },
      ]);
      const statement = linkTargetWithPrelude('c.name', prelude);
      return c.query(q(named, statement.name, statement.text, [f.tenantId, 'acronis', ...prelude.params]));
    },
  },
  {
    name: 'v2 resolve + charge (one statement)',
    run: (c, f, named) => c.query(q(named, 'v2-resolve', RESOLVE_AND_CHARGE_SQL, [f.keyHash, 'acronis', ...LIMITS])),
  },
  {
    name: 'append link + event, hash in SQL, every field serialised in SQL (v1)',
    run: (c, f, named) => c.query(q(named, 'v1-append', APPEND_V1, appendParams(f))),
  },
  {
    name: "append link + event through audit_append (the baseline's)",
    run: (c, f, named) => c.query(q(named, 'v2-append', APPEND_LINK_AND_EVENT_SQL, appendParams(f))),
  },
];

async function main(): Promise<void> {
  const db = await createBenchDatabase();
  try {
    const f = await fixture(db.ownerUrl);
    const rows = [['statement', 'sent as', 'PostgreSQL CPU µs/op', 'client CPU µs/op', 'wall µs/op']];
    const client = new Client({ connectionString: db.appUrl });
    await client.connect();
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    try {
      const variants = [...VARIANTS, ...batchVariants(4), ...batchVariants(10)].filter(
        (variant) => flags.only === undefined || variant.name.includes(flags.only),
      );
      for (const variant of variants) {
        for (const mode of MODES) {
          const named = mode !== 'unnamed';
          const c = clientFor(client, mode);
          for (let i = 0; i < 200; i++) await variant.run(c, f, named); // warm-up (and the prepare)
          const ticks = backendTicks(pid);
          const cpu = process.cpuUsage();
          const startedAt = performance.now();
          for (let i = 0; i < N; i++) await variant.run(c, f, named);
          const wallUs = ((performance.now() - startedAt) * 1000) / N;
          const used = process.cpuUsage(cpu);
          const pgUs = ((backendTicks(pid) - ticks) * 10_000) / N;
          rows.push([
            variant.name,
            mode,
            pgUs.toFixed(0),
            ((used.user + used.system) / N).toFixed(0),
            wallUs.toFixed(0),
          ]);
          process.stdout.write(`${rows[rows.length - 1].join('  ')}\n`);
        }
      }
    } finally {
      await client.end();
    }
    process.stdout.write(
      `\n${N} iterations each, one client, serial; /proc ticks are 10 ms, so ±${(10_000 / N).toFixed(0)} µs/op\n`,
    );
    process.stdout.write(`${markdown(rows)}\n`);
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`sql-cost failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
