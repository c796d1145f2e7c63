import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { freePort } from '@app/database';
import { BROKER_NODE_FLAGS } from '../apps/broker/src/bootstrap/heap';
import { createBenchDatabase, withClient } from './harness/bench-database';
import { BENCH_CHECKPOINT_ORIGIN, BetweenRunsCheckpointer, CheckpointRoundCost } from './harness/checkpoint-rounds';
import { RunningChild, startNodeProcess } from './harness/child-process';
import { HeapProfileNodeTree, sampledBytes } from './harness/heap-profile';
import { pairedEstimate } from './harness/paired-estimate';
import { switchingPenalty, switchingPenaltyLine } from './harness/switching-penalty';
import { CpuGroup, CpuMeter, postgresGroups } from './harness/cpu-meter';
import { createFixtures, FLUSSONIC_API_KEY, FLUSSONIC_LOGINS } from './harness/fixtures';
import { driveGet, driveLinks, LoadRequest } from './harness/load';
import {
  GOALS,
  HealthRecord,
  markdown,
  pairedRatios,
  renderRun,
  renderTable,
  RunRecord,
  ServerName,
  summarise,
  summariseHealth,
} from './harness/report';
import { EVENT_LOOP_RESOLUTION_MS, scrape, statsBetween } from './harness/server-stats';

/**
 * `npm run bench [-- --duration 8 --connections 50 --rounds 10 --tenants 4 --warmup 3 --run-warmup 3 --health-duration 5
 *   --health-workers 2 --a broker --b baseline --rate 300 --ref-dist <dir> --cpu-prof --heap-prof --alloc-prof
 *   --count-promises --trace-gc]`: two contenders (by default the
 * built broker in production mode and the hand-written baseline) on one fresh database with the
 * upstream simulators, driven alternately (A B B A …) with the same request mix; per run and as
 * medians with the range between rounds: links/s, latency, CPU per process and per link, RSS,
 * event-loop delay and GC of the server, and the throughput and p99 ratios as the paired rounds'
 * geometric mean with a 95% interval; then `GET /health/live` against a bare node:http handler.
 * The run is refused (exit 3, table marked INVALID) when the load generator was saturated.
 * docs/performance.md explains the method and how to read the output.
 */
const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '10' },
    tenants: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '3' },
    'run-warmup': { type: 'string', default: '3' },
    'health-duration': { type: 'string', default: '5' },
    'health-workers': { type: 'string', default: '2' },
    a: { type: 'string', default: 'broker' },
    b: { type: 'string', default: 'baseline' },
    'baseline-pool': { type: 'string' },
    rate: { type: 'string' },
    'ref-dist': { type: 'string' },
    'env-a': { type: 'string', multiple: true },
    'env-b': { type: 'string', multiple: true },
    'max-loadgen-cpu': { type: 'string', default: String(GOALS.loadgenCpuPercent) },
    'cpu-prof': { type: 'boolean', default: false },
    'heap-prof': { type: 'boolean', default: false },
    'alloc-prof': { type: 'boolean', default: false },
    'alloc-promoted': { type: 'boolean', default: false },
    'count-promises': { type: 'boolean', default: false },
    'trace-gc': { type: 'boolean', default: false },
  },
});

const DIST = join(__dirname, '..');
const SERVERS: ServerName[] = ['broker', 'broker-ref', 'baseline', 'baseline-ungrouped', 'baseline-v1'];
/** `--ref-dist`: another build's dist directory (an earlier commit's, say), run as the contender `broker-ref`. */
const refDist = flags['ref-dist'];
const duration = Number(flags.duration);
const connections = Number(flags.connections);
const rounds = Number(flags.rounds);
const healthDuration = Number(flags['health-duration']);
const runWarmup = Number(flags['run-warmup']);
/** Load-generating threads for the /health/live runs: one cannot keep up with a bare handler. */
const healthWorkers = Number(flags['health-workers']);
const maxLoadgenCpu = Number(flags['max-loadgen-cpu']);
const rate = flags.rate === undefined ? undefined : Number(flags.rate);
const [A, B] = [flags.a, flags.b].map((name) => {
  if (!SERVERS.includes(name as ServerName)) throw new Error(`--a/--b must be one of ${SERVERS.join(', ')}`);
  return name as ServerName;
});
if (A === B) throw new Error('--a and --b must differ');
if ((A === 'broker-ref' || B === 'broker-ref') && refDist === undefined)
  throw new Error('broker-ref needs --ref-dist <dist directory of another build>');
/** `--env-a KEY=VALUE` / `--env-b` (repeatable): environment of one contender only, e.g. a setting's A/B. */
const contenderEnv = new Map<ServerName, Record<string, string>>(
  (
    [
      [A, flags['env-a']],
      [B, flags['env-b']],
    ] as const
  ).map(([name, pairs]) => [
    name,
    Object.fromEntries(
      (pairs ?? []).map((pair) => {
        const at = pair.indexOf('=');
        if (at < 1) throw new Error(`--env-a/--env-b take KEY=VALUE, not ${pair}`);
        return [pair.slice(0, at), pair.slice(at + 1)];
      }),
    ),
  ]),
);
/** Above this, the load generator's latencies include its own wait for a CPU (warned, not refused). */
const LOADGEN_LOOP_WARNING_MS = 20;
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const out = (line = '') => process.stdout.write(`${line}\n`);

/** `--trace-gc` lines of one child, added up as they come. */
class GcTrace {
  pauses = 0;
  pauseMs = 0;
  onLine = (line: string) => {
    const match = /MB, ([\d.]+) \/ [\d.]+ ms/.exec(line);
    if (!match) return;
    this.pauses += 1;
    this.pauseMs += Number(match[1]);
  };
  snapshot = () => ({ pauses: this.pauses, pauseMs: this.pauseMs });
}

function profilingArgs(name: string, dir: string, traceGc = flags['trace-gc']): string[] {
  const args: string[] = [];
  if (flags['cpu-prof'])
    args.push('--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}-${stamp}.cpuprofile`);
  if (flags['heap-prof'])
    args.push('--heap-prof', `--heap-prof-dir=${dir}`, `--heap-prof-name=${name}-${stamp}.heapprofile`);
  if (traceGc) args.push('--trace-gc');
  return args;
}

/**
 * `--alloc-prof` / `--count-promises`: what is preloaded into a server, and where it writes
 * (harness/allocation-sampler.ts, harness/promise-counter.ts). Both are toggled by SIGUSR2 at
 * each run's start and end.
 */
function preloads(name: string, dir: string): { nodeArgs: string[]; env: Record<string, string> } {
  if (flags['alloc-prof'])
    return {
      nodeArgs: ['--require', join(DIST, 'bench/harness/allocation-sampler.js')],
      env: {
        BENCH_ALLOC_PROFILE: join(dir, `${name}-${stamp}`),
        ...(flags['alloc-promoted'] ? { BENCH_ALLOC_PROMOTED_ONLY: '1' } : {}),
      },
    };
  if (flags['count-promises'])
    return {
      nodeArgs: ['--require', join(DIST, 'bench/harness/promise-counter.js')],
      env: { BENCH_PROMISE_COUNT: join(dir, `${name}-${stamp}`) },
    };
  return { nodeArgs: [], env: {} };
}

async function main(): Promise<void> {
  const db = await createBenchDatabase();
  const children: RunningChild[] = [];
  const profileDir = join(process.cwd(), 'bench/results/profiles');
  // Each changes what the other measures (the promise hook allocates): one at a time.
  if (flags['alloc-prof'] && flags['count-promises'])
    throw new Error('--alloc-prof and --count-promises: one at a time');
  const profiling = flags['cpu-prof'] || flags['heap-prof'] || flags['alloc-prof'] || flags['count-promises'];
  if (profiling) mkdirSync(profileDir, { recursive: true });
  const loadBefore = loadavg();
  const runs: RunRecord[] = [];
  let checkpoints: BetweenRunsCheckpointer | undefined;
  try {
    const database = new URL(db.appUrl).pathname.slice(1);
    const environment = {
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      postgres: await withClient(db.ownerUrl, async (c) => {
        const { rows } = await c.query<{ v: string; sc: string }>(
          `SELECT version() AS v, current_setting('synchronous_commit') AS sc`,
        );
        return `${rows[0].v.split(' on ')[0]}, synchronous_commit ${rows[0].sc}`;
      }),
    };
    out(
      `issuance bench: ${A} vs ${B}, ${connections} connections, ${duration} s per run, ${rounds} rounds (A B B A …), ` +
        `${flags.tenants} tenants; Node ${environment.node}, ${environment.cpus} cores, ${environment.postgres}`,
    );
    out(`load average before: ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
    if (profiling || flags['trace-gc'])
      out('profiling/tracing is on: the figures below carry its overhead and are not comparable with plain runs');
    if (flags['count-promises'])
      out('promises counted per link with an async_hooks init hook (awaits included): compare builds, not these runs');
    if (flags['alloc-prof'])
      out(
        flags['alloc-promoted']
          ? 'allocations counted: only objects no scavenge reclaimed (--alloc-promoted), what reached the old generation'
          : 'allocations counted: every sampled object, collected ones included',
      );

    const masterKeys = `v1:${randomBytes(32).toString('base64')}`;
    const auditSigningKeys = `v1:${randomBytes(32).toString('base64')}`;
    const adminKey = `sbk_a_${randomBytes(32).toString('base64url')}`;
    const [acronisPort, flussonicPort] = await Promise.all([freePort(), freePort()]);
    const simulators = await startNodeProcess(
      join(DIST, 'apps/simulators/src/main.js'),
      {
        ACRONIS_SIM_PORT: String(acronisPort),
        FLUSSONIC_SIM_PORT: String(flussonicPort),
        FLUSSONIC_SIM_API_KEY: FLUSSONIC_API_KEY,
        FLUSSONIC_SIM_USERS: FLUSSONIC_LOGINS.join(','),
      },
      { port: acronisPort, readyPath: '/_sim/counters', nodeArgs: profilingArgs('simulators', profileDir, false) },
    );
    children.push(simulators);

    const traces = new Map<ServerName, GcTrace>();
    const servers = new Map<ServerName, { child: RunningChild; statsPath: string }>();
    const start = async (name: ServerName): Promise<void> => {
      const port = await freePort();
      const trace = new GcTrace();
      traces.set(name, trace);
      const sampling = preloads(name, profileDir);
      const options = {
        port,
        nodeArgs: [...profilingArgs(name, profileDir), ...sampling.nodeArgs],
        onLine: flags['trace-gc'] ? trace.onLine : undefined,
      };
      if (name === 'broker' || name === 'broker-ref') {
        // Started as production starts it (the Dockerfile's flags).
        options.nodeArgs.unshift(...BROKER_NODE_FLAGS);
        const child = await startNodeProcess(
          join(name === 'broker' ? DIST : refDist!, 'apps/broker/src/main.js'),
          {
            ...sampling.env,
            NODE_ENV: 'production',
            LOG_LEVEL: 'warn',
            PORT: String(port),
            HOST: '127.0.0.1',
            PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
            DATABASE_URL: db.appUrl,
            DATABASE_MIGRATION_URL: db.ownerUrl,
            DATA_DIR: mkdtempSync(join(tmpdir(), 'sso-bench-data-')),
            BROKER_MASTER_KEYS: masterKeys,
            BROKER_AUDIT_SIGNING_KEYS: auditSigningKeys,
            // The bench makes the checkpoint rounds between runs instead (harness/checkpoint-rounds.ts);
            // --env-a AUDIT_CHECKPOINT_INTERVAL_SECONDS=60 also puts them on the broker's timer, inside the runs.
            AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0',
            AUDIT_CHECKPOINT_ORIGIN: BENCH_CHECKPOINT_ORIGIN,
            BROKER_BOOTSTRAP_ADMIN_KEY: adminKey,
            // The simulators speak http on loopback: allowed explicitly, as an MSP would for a LAN upstream
            // (the connect-time address check still runs on every new upstream connection).
            UPSTREAM_ALLOW_HTTP: 'true',
            UPSTREAM_ALLOWED_NETWORKS: '127.0.0.0/8',
            // The budgets must not be what is measured; the limiter's own cost still is.
            RATE_LIMIT_PER_KEY_PER_MINUTE: '10000000',
            RATE_LIMIT_PER_TENANT_PER_MINUTE: '10000000',
            ...contenderEnv.get(name),
          },
          { ...options, readyPath: '/openapi.json' },
        );
        children.push(child);
        servers.set(name, { child, statsPath: '/metrics' });
      } else {
        const child = await startNodeProcess(
          join(DIST, 'bench/baseline/main.js'),
          {
            ...sampling.env,
            DATABASE_URL: db.appUrl,
            BROKER_MASTER_KEYS: masterKeys,
            PORT: String(port),
            BASELINE_VARIANT: name === 'baseline-v1' ? 'v1' : 'current',
            // Every link its own append statement: the yardstick before the tenth pass's group commit.
            ...(name === 'baseline-ungrouped' ? { BASELINE_GROUP_COMMIT: 'false' } : {}),
            ...(flags['baseline-pool'] ? { BASELINE_POOL_SIZE: flags['baseline-pool'] } : {}),
            ...contenderEnv.get(name),
          },
          { ...options, readyPath: '/health/ready' },
        );
        children.push(child);
        servers.set(name, { child, statsPath: '/_bench/stats' });
      }
    };
    // The broker always runs: the fixtures are made through its API and its verifier checks the chains.
    await start('broker');
    for (const name of new Set([A, B])) if (name !== 'broker') await start(name);
    const broker = servers.get('broker')!.child;

    const { requests, tenantIds } = await createFixtures(
      broker.url,
      adminKey,
      { acronisUrl: `http://127.0.0.1:${acronisPort}`, flussonicUrl: `http://127.0.0.1:${flussonicPort}` },
      Number(flags.tenants),
    );
    for (const name of [A, B]) await checkOneLink(servers.get(name)!.child.url, requests[0]);
    for (const name of [A, B])
      await driveLinks(servers.get(name)!.child.url, requests, connections, Number(flags.warmup));

    checkpoints = await BetweenRunsCheckpointer.open(db.appUrl, auditSigningKeys);
    const checkpointRounds: CheckpointRoundCost[] = [];
    const pg = postgresGroups(database);
    const simUrls = [`http://127.0.0.1:${acronisPort}`, `http://127.0.0.1:${flussonicPort}`];
    const loadgenLoop = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
    loadgenLoop.enable();
    out();
    for (let round = 1; round <= rounds; round++) {
      for (const name of inRoundOrder(round, [A, B])) {
        const { child, statsPath } = servers.get(name)!;
        const groups: CpuGroup[] = [
          { name: 'server', pids: () => [child.pid] },
          pg.database,
          pg.all,
          { name: 'simulator', pids: () => [simulators.pid] },
        ];
        // Each run follows a few seconds of load on its own contender, at the rate it will be driven
        // at: right after the other contender's run, either contender answered 20-25% fewer links/s
        // than right after its own, which put a switching penalty into every other run
        // (docs/performance.md#how-sure-a-ratio-is).
        if (runWarmup > 0) await driveLinks(child.url, requests, connections, runWarmup, rate);
        // The audit checkpoint round for every event so far, while nothing is measured.
        checkpointRounds.push(await checkpoints.round());
        // Every run starts from the same state: vacuumed and analysed (the previous runs' dead row
        // versions of the chain heads and rate-limit buckets pruned, as autovacuum would, which is
        // off on some machines) and checkpointed (else a checkpoint started by the WAL of earlier
        // runs lands in whichever run is going). Without it one run's links/s varied by 20-40%
        // (docs/performance.md#eleventh-pass).
        await withClient(db.ownerUrl, async (c) => {
          await c.query('VACUUM ANALYZE');
          await c.query('CHECKPOINT');
        });
        const before = await scrape(`${child.url}${statsPath}`);
        const upstreamBefore = await upstreamCalls(simUrls);
        const traceBefore = traces.get(name)!.snapshot();
        const meter = new CpuMeter(groups, child.pid);
        loadgenLoop.reset();
        const from = (performance.now() - child.spawnedAt) / 1000;
        const windowFile = join(profileDir, `${name}-${stamp}-r${round}`);
        const allocation = flags['alloc-prof'] ? new PreloadWindow(child.pid, `${windowFile}.heapprofile`) : undefined;
        const promiseCount = flags['count-promises']
          ? new PreloadWindow(child.pid, `${windowFile}.promises.json`)
          : undefined;
        meter.start();
        const load = await driveLinks(child.url, requests, connections, duration, rate);
        const cpu = meter.stop();
        const allocated = await allocation?.end((file) => {
          const bytes = sampledBytes(JSON.parse(readFileSync(file, 'utf8')) as HeapProfileNodeTree);
          return { kbPerLink: Math.round((bytes / 1024 / Math.max(1, load.links)) * 10) / 10, file };
        });
        const promisesPerLink = await promiseCount?.end((file) => {
          const { promises } = JSON.parse(readFileSync(file, 'utf8')) as { promises: number };
          return Math.round((promises / Math.max(1, load.links)) * 10) / 10;
        });
        const to = (performance.now() - child.spawnedAt) / 1000;
        const loadgenLoopP99Ms = Math.round((loadgenLoop.percentile(99) / 1e6 - EVENT_LOOP_RESOLUTION_MS) * 10) / 10;
        const after = await scrape(`${child.url}${statsPath}`);
        const upstreamAfter = await upstreamCalls(simUrls);
        const traceAfter = traces.get(name)!.snapshot();
        const run: RunRecord = {
          server: name,
          round,
          load,
          cpu,
          stats: statsBetween(before, after),
          gcTrace: flags['trace-gc']
            ? {
                pauses: traceAfter.pauses - traceBefore.pauses,
                pauseMs: Math.round((traceAfter.pauseMs - traceBefore.pauseMs) * 10) / 10,
              }
            : undefined,
          loadgenLoopP99Ms,
          upstream: diffCounts(upstreamBefore, upstreamAfter),
          window: { from: Math.round(from * 10) / 10, to: Math.round(to * 10) / 10 },
          allocation: allocated,
          promisesPerLink,
        };
        runs.push(run);
        out(renderRun(run));
      }
    }

    // GET /health/live against a bare node:http handler answering the same body, alternately.
    const health: HealthRecord[] = [];
    if (healthDuration > 0) {
      const barePort = await freePort();
      const bare = await startNodeProcess(
        join(DIST, 'bench/harness/bare-server.js'),
        { PORT: String(barePort) },
        { port: barePort, readyPath: '/health/live' },
      );
      children.push(bare);
      // With --ref-dist, the other build's broker is measured too: the A/B of a change to the pipeline.
      const ref = servers.get('broker-ref');
      const targets: [HealthRecord['target'], string][] = [
        ['bare', bare.url],
        ['broker', broker.url],
        ...(ref === undefined ? [] : [['broker-ref', ref.child.url] as [HealthRecord['target'], string]]),
      ];
      for (const [, url] of targets) await driveGet(url, '/health/live', connections, 1, healthWorkers);
      out();
      for (let round = 1; round <= rounds; round++) {
        for (const [target, url] of inRoundOrder(round, targets)) {
          const self = process.cpuUsage();
          const startedAt = performance.now();
          const result = await driveGet(url, '/health/live', connections, healthDuration, healthWorkers);
          const used = process.cpuUsage(self);
          // Per load-generating thread (the busiest share), so the saturation guard means the same with workers.
          const loadgenCpuPercent =
            Math.round(
              ((used.user + used.system) / 1000 / (performance.now() - startedAt) / Math.max(1, healthWorkers)) * 1000,
            ) / 10;
          health.push({ target, round, result, loadgenCpuPercent });
          out(
            `round ${round} GET /health/live ${target.padEnd(10)} ${result.requestsPerSecond} req/s  p50 ${result.p50} p99 ${result.p99} ms  ` +
              `non-2xx ${result.non2xx} errors ${result.errors}  loadgen CPU ${loadgenCpuPercent}% per thread`,
          );
        }
      }
    }

    // The baseline writes the same hash chain by hand: the broker's verifier must accept every chain.
    const verdicts = await Promise.all(tenantIds.map((id) => verifyChain(broker.url, adminKey, id)));
    out(
      `\naudit chains: ${verdicts.map((v) => `${v.events_checked} events ${v.ok ? 'ok' : `BROKEN at seq ${v.first_broken_seq}`}`).join(', ')}`,
    );

    const invalid: string[] = [];
    for (const run of runs)
      if (run.cpu.self.cpuPercent >= maxLoadgenCpu)
        invalid.push(
          `round ${run.round} ${run.server}: the load generator used ${run.cpu.self.cpuPercent}% of a core (limit ${maxLoadgenCpu}%), so it measured itself`,
        );
    for (const record of health)
      if (record.loadgenCpuPercent >= maxLoadgenCpu)
        invalid.push(
          `round ${record.round} /health/live ${record.target}: the load generator used ${record.loadgenCpuPercent}% of a core per thread (limit ${maxLoadgenCpu}%)`,
        );
    for (const verdict of verdicts)
      if (!verdict.ok) invalid.push(`an audit chain is broken at seq ${verdict.first_broken_seq}`);

    const summaryA = summarise(runs, A);
    const summaryB = summarise(runs, B);
    const healthSummary = summariseHealth(health);
    const loadAfter = loadavg();
    out(
      `\n${invalid.length > 0 ? '**INVALID** ' : ''}${A} vs ${B}: ${connections} connections, ${duration} s per run, medians of ${rounds} rounds (A B B A …); range = min–max between rounds (spread = range / median)\n`,
    );
    const ratios = {
      linksPerSecond: pairedRatios(runs, A, B, 'linksPerSecond'),
      p99: pairedRatios(runs, A, B, 'p99'),
    };
    const estimates = { linksPerSecond: pairedEstimate(ratios.linksPerSecond), p99: pairedEstimate(ratios.p99) };
    out(renderTable(summaryA, summaryB, healthSummary, maxLoadgenCpu, estimates));
    const paired = (key: keyof typeof ratios) => ratios[key].map((r, i) => `r${i + 1} ${r.toFixed(2)}`).join(', ');
    out(`\npaired ${A}/${B} per round: links/s ${paired('linksPerSecond')}; p99 ${paired('p99')}`);
    const switching = switchingPenalty(
      runs.map((run) => ({ server: run.server, linksPerSecond: run.load.linksPerSecond })),
      A,
      B,
    );
    out(switchingPenaltyLine(switching));
    const healthPairs = health.flatMap((ref) => {
      const own = health.find((r) => r.target === 'broker' && r.round === ref.round);
      return ref.target === 'broker-ref' && own !== undefined && ref.result.requestsPerSecond > 0
        ? [`r${ref.round} ${(own.result.requestsPerSecond / ref.result.requestsPerSecond).toFixed(2)}`]
        : [];
    });
    if (healthPairs.length > 0)
      out(`paired broker/broker-ref per round, GET /health/live req/s: ${healthPairs.join(', ')}`);
    out(checkpointCostLine(checkpointRounds));
    out(
      markdown([
        ['load average', '1 min', '5 min', '15 min'],
        ['before', ...loadBefore.map((l) => l.toFixed(2))],
        ['after', ...loadAfter.map((l) => l.toFixed(2))],
      ]),
    );
    const lateLoadgen = runs.filter((r) => r.loadgenLoopP99Ms > LOADGEN_LOOP_WARNING_MS);
    if (lateLoadgen.length > 0)
      out(
        `warning: the load generator's own event loop was late (p99 ${lateLoadgen.map((r) => `${r.loadgenLoopP99Ms} ms in round ${r.round} ${r.server}`).join(', ')}): ` +
          'it was waiting for a CPU, and the latencies measured in those runs include that wait',
      );
    const machineBusy = Math.max(...runs.map((r) => r.cpu.machine.busyPercent));
    if (machineBusy >= cpus().length * 100 * 0.95)
      out(
        `note: the machine was saturated (up to ${machineBusy}% of ${cpus().length * 100}) during some runs: throughput is bounded by the machine, compare ratios and CPU per link rather than absolute figures`,
      );

    const outDir = join(process.cwd(), 'bench/results');
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, `issuance-${stamp}.json`);
    writeFileSync(
      file,
      `${JSON.stringify(
        {
          valid: invalid.length === 0,
          invalidReasons: invalid,
          flags,
          environment,
          goals: GOALS,
          loadAverage: { before: loadBefore, after: loadAfter },
          summary: { [A]: summaryA, [B]: summaryB },
          pairedRatios: ratios,
          pairedEstimates: estimates,
          switchingPenalty: switching,
          health: healthSummary,
          healthRuns: health,
          auditChains: verdicts,
          checkpointRounds,
          runs,
        },
        null,
        2,
      )}\n`,
    );
    out(`results: ${file}`);
    if (invalid.length > 0) {
      process.stderr.write(`\nINVALID: these figures are not reported as a measurement:\n- ${invalid.join('\n- ')}\n`);
      process.exitCode = 3;
    }
  } finally {
    await checkpoints?.close();
    for (const child of children.reverse()) await child.stop();
    await db.close();
  }
  if (profiling) {
    out(`profiles: ${profileDir}`);
    for (const run of runs) {
      if (flags['cpu-prof'])
        out(
          `  round ${run.round} ${run.server}: npm run bench:profile -- ${join(profileDir, `${run.server}-${stamp}.cpuprofile`)} --from ${run.window.from} --to ${run.window.to}`,
        );
      if (run.allocation)
        out(
          `  round ${run.round} ${run.server}: npm run bench:profile -- ${run.allocation.file} --per ${run.load.links}`,
        );
    }
  }
}

/**
 * The checkpoint rounds' cost per event verified: what a broker instance making them spends per
 * link it issues (one event each), on top of the runs' figures.
 */
function checkpointCostLine(rounds: CheckpointRoundCost[]): string {
  const events = rounds.reduce((sum, r) => sum + r.events, 0);
  const cpuMs = rounds.reduce((sum, r) => sum + r.cpuMs, 0);
  const ms = rounds.reduce((sum, r) => sum + r.ms, 0);
  const perEvent = events > 0 ? ((cpuMs * 1000) / events).toFixed(1) : 'n/a';
  return (
    `audit checkpoint rounds, made by the bench between runs (not in the runs above): ${rounds.length} rounds, ` +
    `${events} events verified, ${rounds.reduce((sum, r) => sum + r.checkpoints, 0)} checkpoints, ${ms} ms, ` +
    `${perEvent} µs of CPU per event: a broker making them spends about that much more per link`
  );
}

/** Requests each simulator has answered, by route template (GET /_sim/counters). */
async function upstreamCalls(urls: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const url of urls) {
    const answer = await fetch(`${url}/_sim/counters`);
    const { requestsByPath } = (await answer.json()) as { requestsByPath: Record<string, number> };
    for (const [path, n] of Object.entries(requestsByPath)) counts[path] = (counts[path] ?? 0) + n;
  }
  return counts;
}

function diffCounts(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([path, n]) => [path, n - (before[path] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );
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

/**
 * A then B in odd rounds, B then A in even ones: when the machine's speed drifts during a run
 * (other tenants of the host), a fixed order would hand the same advantage to the same side in
 * every round; swapping it cancels a steady drift out of the paired ratios and the medians.
 */
function inRoundOrder<T>(round: number, order: readonly T[]): readonly T[] {
  return round % 2 === 1 ? order : [...order].reverse();
}

/**
 * One run's window of a preloaded counter (`--alloc-prof`, `--count-promises`): SIGUSR2 opens it
 * now; `end` closes it, waits for the file the counter writes and reads it.
 */
class PreloadWindow {
  constructor(
    private readonly pid: number,
    /** The counter numbers its windows; each server has one per round, in round order. */
    private readonly file: string,
  ) {
    process.kill(pid, 'SIGUSR2');
  }

  async end<T>(read: (file: string) => T): Promise<T> {
    process.kill(this.pid, 'SIGUSR2');
    const deadline = Date.now() + 60_000;
    while (!existsSync(this.file)) {
      if (Date.now() > deadline) throw new Error(`nothing written at ${this.file}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return read(this.file);
  }
}
