/**
 * GET /v1/audit-stats benchmark: fills N events spread over the last 30 days and T tenants (the
 * issuance mix of a busy broker), then times the stats query the service runs (AuditStore
 * issuanceCounts through AuditStatsService) for each window, across all tenants and for one
 * tenant, and prints p50/p95 and the plan of the heaviest case.
 *
 *   npm run bench:audit-stats -- [--events 1000000] [--tenants 100] [--database-url postgres://...]
 *
 * DATABASE_URL (or --database-url) must name an empty database the bench may own: it runs the
 * migrations and inserts rows directly (the chain hashes are placeholders: nothing here verifies).
 */
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { runMigrations } from '@app/database';
import { ALL_TENANTS, issueTenantScope, type TenantSelection } from '@app/common';
import { AuditStore } from '../libs/audit/src/store/audit.store';
import { AuditStatsService } from '../libs/audit/src/query/audit-stats.service';

const args = Object.fromEntries(
  process.argv.slice(2).flatMap((arg, i, all) => (arg.startsWith('--') ? [[arg.slice(2), all[i + 1]]] : [])),
) as Record<string, string>;
const EVENTS = Number(args.events ?? 1_000_000);
const TENANTS = Number(args.tenants ?? 100);
const SAMPLES = Number(args.samples ?? 40);
const DATABASE_URL = args['database-url'] ?? process.env.DATABASE_URL;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main(): Promise<void> {
  if (!DATABASE_URL) throw new Error('set DATABASE_URL or --database-url to an empty database');
  await runMigrations(DATABASE_URL);
  const dataSource = await new DataSource({ type: 'postgres', url: DATABASE_URL }).initialize();
  const started = performance.now();
  // Tenant i gets every TENANTS-th event; seq counts within its chain. 70 % issued, 20 % redeemed,
  // 5 % failed, 5 % other actions; providers alternate; times uniform over 30 days.
  await dataSource.query(
    `INSERT INTO audit_events (id, chain_id, tenant_id, seq, occurred_at, action, outcome, actor_type, provider, metadata, prev_hash, hash)
     SELECT gen_random_uuid(), t.id, t.id, g / $2 + 1, now() - random() * interval '30 days',
            CASE WHEN r < 0.70 THEN 'login_link.issued' WHEN r < 0.90 THEN 'login_link.redeemed'
                 WHEN r < 0.95 THEN 'login_link.failed' ELSE 'tenant.updated' END,
            'success', 'api_key', CASE WHEN g % 3 = 0 THEN 'flussonic' ELSE 'acronis' END, '{}', 'p', 'h'
       FROM generate_series(0, $1 - 1) AS g
       CROSS JOIN LATERAL (SELECT random() AS r) AS x
       JOIN (SELECT n, (md5('tenant' || n)::uuid) AS id FROM generate_series(0, $2 - 1) AS n) AS t ON t.n = g % $2`,
    [EVENTS, TENANTS],
  );
  await dataSource.query('VACUUM ANALYZE audit_events');
  console.log(
    `filled ${EVENTS.toLocaleString()} events over ${TENANTS} tenants in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  const service = new AuditStatsService(new AuditStore(dataSource));
  const [{ id: oneTenant }] = await dataSource.query<Array<{ id: string }>>(`SELECT md5('tenant0')::uuid AS id`);
  const cases: Array<[string, TenantSelection, '24h' | '30d']> = [
    ['all tenants, 24h', ALL_TENANTS, '24h'],
    ['all tenants, 30d', ALL_TENANTS, '30d'],
    ['one tenant, 24h', issueTenantScope(oneTenant), '24h'],
    ['one tenant, 30d', issueTenantScope(oneTenant), '30d'],
  ];
  console.log('| case | p50 ms | p95 ms | max ms | links counted |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const [name, selection, window] of cases) {
    const times: number[] = [];
    let counted = 0;
    for (let i = 0; i < SAMPLES; i++) {
      const t0 = performance.now();
      const stats = await service.issuance(selection, { window });
      times.push(performance.now() - t0);
      counted = stats.totals.issued + stats.totals.failed + stats.totals.redeemed;
    }
    times.sort((a, b) => a - b);
    console.log(
      `| ${name} | ${percentile(times, 50).toFixed(1)} | ${percentile(times, 95).toFixed(1)} | ${times.at(-1)!.toFixed(1)} | ${counted.toLocaleString()} |`,
    );
  }
  const plan = await dataSource.query<Array<{ 'QUERY PLAN': string }>>(
    `EXPLAIN (ANALYZE, BUFFERS) SELECT date_trunc('day', occurred_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', coalesce(provider, 'unknown'), action, count(*)
       FROM audit_events WHERE action = ANY($1::text[]) AND occurred_at >= now() - interval '30 days' GROUP BY 1, 2, 3`,
    [['login_link.issued', 'login_link.failed', 'login_link.redeemed']],
  );
  console.log(`\nplan, all tenants, 30d:\n${plan.map((row) => row['QUERY PLAN']).join('\n')}`);
  await dataSource.destroy();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
