import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createBenchDatabase } from './harness/bench-database';
import { freePort } from '@app/database';
import { RunningChild, startNodeProcess } from './harness/child-process';
import { createFixtures, FLUSSONIC_API_KEY, FLUSSONIC_LOGINS } from './harness/fixtures';
import { driveLinks, LoadRequest } from './harness/load';
import { ProcessSampler } from './harness/proc-sampler';
import { GOALS, renderTable, RunRecord, summarise } from './harness/report';

/**
 * `npm run bench [-- --duration 30 --connections 50 --rounds 2 --tenants 4 --cpu-prof]`:
 * the built broker (production mode) and the hand-written baseline on one fresh database with the
 * upstream simulators, driven alternately (A B A B) with the same request mix; medians printed
 * next to the goals and written to bench/results/.
 */
const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '30' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '2' },
    tenants: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '3' },
    'cpu-prof': { type: 'boolean', default: false },
  },
});

const DIST = join(__dirname, '..');
const duration = Number(flags.duration);
const connections = Number(flags.connections);

async function main(): Promise<void> {
  const db = await createBenchDatabase();
  const children: RunningChild[] = [];
  try {
    const masterKeys = `v1:${randomBytes(32).toString('base64')}`;
    const adminKey = `sbk_a_${randomBytes(32).toString('base64url')}`;
    const [acronisPort, flussonicPort, brokerPort, baselinePort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const simulators = await startNodeProcess(
      join(DIST, 'apps/simulators/src/main.js'),
      {
        ACRONIS_SIM_PORT: String(acronisPort),
        FLUSSONIC_SIM_PORT: String(flussonicPort),
        FLUSSONIC_SIM_API_KEY: FLUSSONIC_API_KEY,
        FLUSSONIC_SIM_USERS: FLUSSONIC_LOGINS.join(','),
      },
      { port: acronisPort, readyPath: '/_sim/counters' },
    );
    children.push(simulators);
    const profileDir = join(process.cwd(), 'bench/results/profiles');
    if (flags['cpu-prof']) mkdirSync(profileDir, { recursive: true });
    const broker = await startNodeProcess(
      join(DIST, 'apps/broker/src/main.js'),
      {
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        PORT: String(brokerPort),
        HOST: '127.0.0.1',
        PUBLIC_BASE_URL: `http://127.0.0.1:${brokerPort}`,
        DATABASE_URL: db.appUrl,
        DATABASE_MIGRATION_URL: db.ownerUrl,
        DATA_DIR: mkdtempSync(join(tmpdir(), 'sso-bench-data-')),
        BROKER_MASTER_KEYS: masterKeys,
        BROKER_AUDIT_SIGNING_KEYS: `v1:${randomBytes(32).toString('base64')}`,
        BROKER_BOOTSTRAP_ADMIN_KEY: adminKey,
        // The budgets must not be what is measured; the limiter's own cost still is.
        RATE_LIMIT_PER_KEY_PER_MINUTE: '10000000',
        RATE_LIMIT_PER_TENANT_PER_MINUTE: '10000000',
      },
      {
        port: brokerPort,
        readyPath: '/openapi.json',
        nodeArgs: flags['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
      },
    );
    children.push(broker);
    const baseline = await startNodeProcess(
      join(DIST, 'bench/baseline/main.js'),
      {
        DATABASE_URL: db.appUrl,
        BROKER_MASTER_KEYS: masterKeys,
        PORT: String(baselinePort),
      },
      { port: baselinePort, readyPath: '/health/ready' },
    );
    children.push(baseline);

    const { requests, tenantIds } = await createFixtures(
      broker.url,
      adminKey,
      {
        acronisUrl: `http://127.0.0.1:${acronisPort}`,
        flussonicUrl: `http://127.0.0.1:${flussonicPort}`,
      },
      Number(flags.tenants),
    );
    await checkOneLink(broker.url, requests[0]);
    await checkOneLink(baseline.url, requests[0]);

    const servers = { broker, baseline };
    for (const name of ['broker', 'baseline'] as const)
      await driveLinks(servers[name].url, requests, connections, Number(flags.warmup));
    const runs: RunRecord[] = [];
    for (let round = 1; round <= Number(flags.rounds); round++) {
      for (const name of ['broker', 'baseline'] as const) {
        const sampler = new ProcessSampler(servers[name].pid);
        sampler.start();
        const load = await driveLinks(servers[name].url, requests, connections, duration);
        const usage = sampler.stop();
        runs.push({ server: name, round, load, usage });
        process.stdout.write(
          `round ${round} ${name.padEnd(8)} ${load.linksPerSecond} links/s  p50 ${load.p50} p95 ${load.p95} p99 ${load.p99} ms  CPU ${usage.cpuPercent}%  RSS ${usage.rssMaxMb} MB  statuses ${JSON.stringify(load.statuses)}\n`,
        );
      }
    }
    // The baseline writes the same hash chain by hand: the broker's verifier must accept every chain.
    const verdicts = await Promise.all(tenantIds.map((id) => verifyChain(broker.url, adminKey, id)));
    process.stdout.write(
      `audit chains: ${verdicts.map((v) => `${v.events_checked} events ${v.ok ? 'ok' : `BROKEN at seq ${v.first_broken_seq}`}`).join(', ')}\n`,
    );
    const brokerSummary = summarise(runs, 'broker');
    const baselineSummary = summarise(runs, 'baseline');
    process.stdout.write(
      `\n${connections} connections, ${duration} s per run, medians of ${flags.rounds} rounds (A B A B)\n${renderTable(brokerSummary, baselineSummary)}\n`,
    );
    const outDir = join(process.cwd(), 'bench/results');
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, `issuance-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(
      file,
      `${JSON.stringify({ flags, goals: GOALS, broker: brokerSummary, baseline: baselineSummary, auditChains: verdicts, runs }, null, 2)}\n`,
    );
    process.stdout.write(`results: ${file}\n`);
  } finally {
    for (const child of children.reverse()) await child.stop();
    await db.close();
  }
}

async function verifyChain(
  url: string,
  adminKey: string,
  tenantId: string,
): Promise<{ ok: boolean; events_checked: number; first_broken_seq: string | null }> {
  const answer = await fetch(`${url}/v1/audit-events/verify?tenant_id=${tenantId}`, {
    headers: { authorization: `Bearer ${adminKey}` },
  });
  if (answer.status !== 200) throw new Error(`verify answered ${answer.status}: ${await answer.text()}`);
  return (await answer.json()) as { ok: boolean; events_checked: number; first_broken_seq: string | null };
}

async function checkOneLink(url: string, request: LoadRequest): Promise<void> {
  const answer = await fetch(`${url}/v1/login-links`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...request.headers },
    body: request.body,
  });
  if (answer.status !== 201) throw new Error(`${url} did not issue a link (${answer.status}): ${await answer.text()}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
