import type { CpuWindow } from './cpu-meter';
import { median } from './latency';
import type { GetResult, LoadResult } from './load';
import { intervalVerdict, type PairedEstimate } from './paired-estimate';
import type { ServerStats } from './server-stats';

/** `broker-ref`: the broker of another build (`--ref-dist`), to measure a change against. */
export type ServerName = 'broker' | 'broker-ref' | 'baseline' | 'baseline-ungrouped' | 'baseline-v1';

export interface RunRecord {
  server: ServerName;
  round: number;
  load: LoadResult;
  /** Groups: `server`, `postgres` (this database's backends), `postgres-all`, `simulator`. */
  cpu: CpuWindow;
  stats: ServerStats;
  /** From `--trace-gc` lines of the server, when asked for. */
  gcTrace?: { pauses: number; pauseMs: number };
  /** The load generator's own event-loop delay p99 (ms beyond the 10 ms resolution). */
  loadgenLoopP99Ms: number;
  /** Upstream requests the simulators answered during the run, by route template. */
  upstream: Record<string, number>;
  /** Seconds since the server was spawned: the run's window in a --cpu-prof profile (±0.1 s). */
  window: { from: number; to: number };
  /** `--alloc-prof`: bytes allocated per link in the run (collected objects included), and the profile. */
  allocation?: { kbPerLink: number; file: string };
  /** `--count-promises`: promises created per link in the run (async_hooks count, awaits included). */
  promisesPerLink?: number;
}

export interface HealthRecord {
  target: 'bare' | 'broker' | 'broker-ref';
  round: number;
  result: GetResult;
  loadgenCpuPercent: number;
}

/** Goals of issue 15, A = the broker, B = the baseline. */
export const GOALS = {
  throughputRatio: 0.85,
  p99Ratio: 1.25,
  p99OverP50: 3,
  rssMb: 200,
  healthOverBare: 0.4,
  /** Not a goal: above this the load generator measures itself, and the run is refused. */
  loadgenCpuPercent: 90,
};

interface Metric {
  label: string;
  get: (run: RunRecord) => number;
  /** A figure only some runs measure (a profiling flag): its row is left out when no run has it. */
  onlyWhenMeasured?: boolean;
}

const perLink = (run: RunRecord, seconds: number) =>
  run.load.links === 0 ? 0 : Math.round((seconds * 1000 * 1000) / run.load.links) / 1000;
const perCount = (n: number, links: number) => (links === 0 ? 0 : Math.round((n / links) * 100) / 100);
const group = (run: RunRecord, name: string) => run.cpu.groups[name] ?? { cpuPercent: 0, cpuSeconds: 0, processes: 0 };

/** CPU of everything but the measured processes: other users of the machine, the idle contender, the kernel. */
export function otherCpuPercent(run: RunRecord): number {
  const ours =
    group(run, 'server').cpuPercent +
    group(run, 'postgres-all').cpuPercent +
    group(run, 'simulator').cpuPercent +
    run.cpu.self.cpuPercent;
  return Math.round(Math.max(0, run.cpu.machine.busyPercent - ours) * 10) / 10;
}

export const METRICS = {
  linksPerSecond: { label: 'links/s', get: (r) => r.load.linksPerSecond },
  p50: { label: 'p50 ms', get: (r) => r.load.p50 },
  p95: { label: 'p95 ms', get: (r) => r.load.p95 },
  p99: { label: 'p99 ms', get: (r) => r.load.p99 },
  p99OverP50: {
    label: 'p99 / p50',
    get: (r) => (r.load.p50 === 0 ? 0 : Math.round((r.load.p99 / r.load.p50) * 100) / 100),
  },
  rssMb: { label: 'RSS max MB (server)', get: (r) => r.cpu.rssMaxMb },
  serverCpu: { label: 'CPU % server (100 = 1 core)', get: (r) => group(r, 'server').cpuPercent },
  postgresCpu: { label: 'CPU % postgres (this db)', get: (r) => group(r, 'postgres').cpuPercent },
  postgresAllCpu: { label: 'CPU % postgres (all, shared)', get: (r) => group(r, 'postgres-all').cpuPercent },
  simulatorCpu: { label: 'CPU % simulator', get: (r) => group(r, 'simulator').cpuPercent },
  loadgenCpu: { label: 'CPU % load generator', get: (r) => r.cpu.self.cpuPercent },
  machineCpu: { label: 'CPU % machine (all cores)', get: (r) => r.cpu.machine.busyPercent },
  otherCpu: { label: 'CPU % others (not ours)', get: otherCpuPercent },
  serverMsPerLink: { label: 'CPU ms/link server', get: (r) => perLink(r, group(r, 'server').cpuSeconds) },
  postgresMsPerLink: {
    label: 'CPU ms/link postgres (this db)',
    get: (r) => perLink(r, group(r, 'postgres').cpuSeconds),
  },
  simulatorMsPerLink: { label: 'CPU ms/link simulator', get: (r) => perLink(r, group(r, 'simulator').cpuSeconds) },
  loadgenMsPerLink: { label: 'CPU ms/link load generator', get: (r) => perLink(r, r.cpu.self.cpuSeconds) },
  // The simulators' and the load generator's work per link is the same for every contender, so
  // their CPU per link follows the machine's speed in that run (steal, frequency, caches): the
  // server's CPU in those units moves less between rounds than in ms. Best read in --rate runs,
  // where both contenders run at the same throughput (docs/performance.md#ninth-pass).
  serverPerFixedWork: {
    label: 'CPU server / (simulator + load generator), per link',
    get: (r) => {
      const fixed = group(r, 'simulator').cpuSeconds + r.cpu.self.cpuSeconds;
      return fixed === 0 ? 0 : Math.round((group(r, 'server').cpuSeconds / fixed) * 100) / 100;
    },
  },
  upstreamPerLink: {
    label: 'upstream calls per link',
    get: (r) =>
      perCount(
        Object.values(r.upstream).reduce((a, b) => a + b, 0),
        r.load.links,
      ),
  },
  serverSystemMsPerLink: {
    label: 'CPU ms/link server, of it kernel',
    get: (r) => perLink(r, r.cpu.kernel.systemSeconds),
  },
  serverSyscallsPerLink: {
    label: 'server read+write syscalls per link',
    get: (r) => perCount(r.cpu.kernel.readCalls + r.cpu.kernel.writeCalls, r.load.links),
  },
  preemptions: {
    label: 'server preemptions per link',
    get: (r) => perCount(r.cpu.involuntarySwitchesPerSecond * r.cpu.seconds, r.load.links),
  },
  loopP99: { label: 'event-loop delay p99 ms', get: (r) => r.stats.loopP99Ms },
  loopMax: { label: 'event-loop delay max ms', get: (r) => r.stats.loopMaxMs },
  gcMsPerSecond: {
    label: 'GC pause ms per s',
    get: (r) => Math.round(((r.gcTrace?.pauseMs ?? r.stats.gcPauseMs) / r.cpu.seconds) * 10) / 10,
  },
  gcPauses: { label: 'GC pauses', get: (r) => r.gcTrace?.pauses ?? r.stats.gcPauses },
  eventsPerAppend: {
    label: 'audit events per append statement (group commit)',
    get: (r) => r.stats.eventsPerAppendStatement ?? 0,
  },
  allocatedKbPerLink: {
    label: 'KB allocated per link (sampled; what is counted: see above the runs)',
    get: (r) => r.allocation?.kbPerLink ?? 0,
    onlyWhenMeasured: true,
  },
  promisesPerLink: {
    label: 'promises created per link (async_hooks count, awaits included)',
    get: (r) => r.promisesPerLink ?? 0,
    onlyWhenMeasured: true,
  },
  failures: { label: 'non-201 answers + errors', get: (r) => r.load.requests - r.load.links + r.load.errors },
} satisfies Record<string, Metric>;

export type MetricKey = keyof typeof METRICS;

export interface Spread {
  median: number;
  min: number;
  max: number;
  /** (max − min) / median, in %. */
  spreadPercent: number;
}

export type Summary = Record<MetricKey, Spread> & { server: ServerName; rounds: number };

export function spreadOf(values: number[]): Spread {
  const m = median(values);
  const min = Math.min(...values);
  const max = Math.max(...values);
  return { median: m, min, max, spreadPercent: m === 0 ? 0 : Math.round(((max - min) / m) * 1000) / 10 };
}

/** Medians over the rounds of one server, with the range between rounds. */
export function summarise(runs: RunRecord[], server: ServerName): Summary {
  const mine = runs.filter((r) => r.server === server);
  const summary = { server, rounds: mine.length } as Summary;
  for (const [key, metric] of Object.entries(METRICS))
    (summary as Record<string, unknown>)[key] = spreadOf(mine.map((r) => metric.get(r)));
  return summary;
}

/**
 * A/B per round, unrounded (the two runs of a round are adjacent, so their ratio cancels slow
 * drifts of the machine; harness/paired-estimate.ts turns them into an interval).
 */
export function pairedRatios(runs: RunRecord[], a: ServerName, b: ServerName, key: MetricKey): number[] {
  const ratios: number[] = [];
  for (const runA of runs.filter((r) => r.server === a)) {
    const runB = runs.find((r) => r.server === b && r.round === runA.round);
    const valueB = runB ? METRICS[key].get(runB) : 0;
    if (runB && valueB !== 0) ratios.push(METRICS[key].get(runA) / valueB);
  }
  return ratios;
}

export interface HealthSummary {
  bare: Spread;
  broker: Spread;
  /** Median of the per-round ratios broker / bare. */
  ratio: number;
  ratios: number[];
  /** With --ref-dist: the other build's broker, measured in the same rounds. */
  brokerRef?: { spread: Spread; ratio: number; ratios: number[] };
}

export function summariseHealth(records: HealthRecord[]): HealthSummary | undefined {
  if (records.length === 0) return undefined;
  const of = (target: HealthRecord['target']) =>
    records.filter((r) => r.target === target).map((r) => r.result.requestsPerSecond);
  const ratiosOf = (target: HealthRecord['target']) =>
    records
      .filter((r) => r.target === target)
      .flatMap((r) => {
        const bare = records.find((b) => b.target === 'bare' && b.round === r.round);
        return bare && bare.result.requestsPerSecond > 0
          ? [Math.round((r.result.requestsPerSecond / bare.result.requestsPerSecond) * 100) / 100]
          : [];
      });
  const ratios = ratiosOf('broker');
  const refRatios = ratiosOf('broker-ref');
  return {
    bare: spreadOf(of('bare')),
    broker: spreadOf(of('broker')),
    ratio: median(ratios),
    ratios,
    ...(refRatios.length > 0
      ? { brokerRef: { spread: spreadOf(of('broker-ref')), ratio: median(refRatios), ratios: refRatios } }
      : {}),
  };
}

/** The ratios estimated from the paired rounds (harness/paired-estimate.ts), shown under their medians' row. */
export interface PairedRows {
  linksPerSecond?: PairedEstimate;
  p99?: PairedEstimate;
}

const PAIRED_GOALS: Record<keyof PairedRows, { goal: number; atLeast: boolean; text: string }> = {
  linksPerSecond: { goal: GOALS.throughputRatio, atLeast: true, text: `≥ ${GOALS.throughputRatio}` },
  p99: { goal: GOALS.p99Ratio, atLeast: false, text: `≤ ${GOALS.p99Ratio}` },
};

type Verdict = 'PASS' | 'FAIL' | '';
const verdict = (ok: boolean | undefined): Verdict => (ok === undefined ? '' : ok ? 'PASS' : 'FAIL');

/** The summary as a markdown table: medians, the range between rounds, A/B, and the goals beside them. */
export function renderTable(
  a: Summary,
  b: Summary,
  health: HealthSummary | undefined,
  loadgenLimit = GOALS.loadgenCpuPercent,
  paired: PairedRows = {},
): string {
  const goalsApply = a.server === 'broker' && b.server !== 'broker-ref';
  const ratio = (x: number, y: number) => (y === 0 ? 'n/a' : (x / y).toFixed(2));
  const range = (s: Spread) => (s.min === s.max ? '' : `${fmt(s.min)}–${fmt(s.max)} (${s.spreadPercent}%)`);
  const rows: string[][] = [
    [
      '',
      `${a.server}`,
      'range between rounds',
      `${b.server}`,
      'range between rounds',
      `${a.server}/${b.server}`,
      'goal',
      '',
    ],
  ];
  const goal: Partial<Record<MetricKey, { text: string; ok: (a: Summary, b: Summary) => boolean }>> = {
    linksPerSecond: {
      text: `≥ ${GOALS.throughputRatio} × ${b.server}`,
      ok: (x, y) => x.linksPerSecond.median >= GOALS.throughputRatio * y.linksPerSecond.median,
    },
    p99: { text: `≤ ${GOALS.p99Ratio} × ${b.server}`, ok: (x, y) => x.p99.median <= GOALS.p99Ratio * y.p99.median },
    p99OverP50: { text: `${a.server} ≤ ${GOALS.p99OverP50}`, ok: (x) => x.p99OverP50.median <= GOALS.p99OverP50 },
    rssMb: { text: `${a.server} ≤ ${GOALS.rssMb}`, ok: (x) => x.rssMb.median <= GOALS.rssMb },
    loadgenCpu: { text: `< ${loadgenLimit} (else INVALID)`, ok: () => true },
    failures: { text: '0', ok: (x) => x.failures.max === 0 },
  };
  for (const [key, metric] of Object.entries(METRICS)) {
    const k = key as MetricKey; // Object.entries widens the keys to string
    const sa = a[k];
    const sb = b[k];
    const g = goal[k];
    const isGuard = k === 'loadgenCpu';
    const ok = g && (goalsApply || isGuard) ? g.ok(a, b) : undefined;
    if ((metric as Metric).onlyWhenMeasured && sa.max === 0 && sb.max === 0) continue;
    rows.push([
      metric.label,
      fmt(sa.median),
      range(sa),
      fmt(sb.median),
      range(sb),
      ratio(sa.median, sb.median),
      g && (goalsApply || isGuard) ? g.text : '',
      isGuard ? '' : verdict(ok),
    ]);
    const estimate = paired[k as keyof PairedRows];
    const pairedGoal = PAIRED_GOALS[k as keyof PairedRows];
    if (estimate && pairedGoal)
      rows.push([
        `${metric.label}: paired rounds, geometric mean [95% interval]`,
        '',
        '',
        '',
        '',
        `${estimate.ratio.toFixed(2)} [${estimate.low.toFixed(2)}–${estimate.high.toFixed(2)}]`,
        goalsApply ? `${pairedGoal.text} × ${b.server}, whole interval` : '',
        goalsApply ? intervalVerdict(estimate, pairedGoal.goal, pairedGoal.atLeast) : '',
      ]);
  }
  if (health) {
    rows.push([
      'GET /health/live req/s (vs bare node:http)',
      fmt(health.broker.median),
      range(health.broker),
      `bare ${fmt(health.bare.median)}`,
      range(health.bare),
      `${health.ratio.toFixed(2)} of bare`,
      `≥ ${GOALS.healthOverBare} of bare (not asserted)`,
      verdict(health.ratio >= GOALS.healthOverBare),
    ]);
    if (health.brokerRef) {
      rows.push([
        'GET /health/live req/s, broker-ref (vs bare)',
        fmt(health.brokerRef.spread.median),
        range(health.brokerRef.spread),
        `bare ${fmt(health.bare.median)}`,
        range(health.bare),
        `${health.brokerRef.ratio.toFixed(2)} of bare`,
        '',
        '',
      ]);
    }
  }
  return markdown(rows);
}

export function markdown(rows: string[][]): string {
  const widths = rows[0].map((_, col) => Math.max(3, ...rows.map((row) => row[col].length)));
  const line = (row: string[]) => `| ${row.map((cell, col) => cell.padEnd(widths[col])).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

export function fmt(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** One line per run, printed as it ends. */
export function renderRun(run: RunRecord): string {
  const m = (key: MetricKey) => fmt(METRICS[key].get(run));
  const l = run.load;
  const gc = run.gcTrace
    ? `GC ${run.gcTrace.pauseMs} ms in ${run.gcTrace.pauses} pauses (trace)`
    : `GC ${run.stats.gcPauseMs} ms in ${run.stats.gcPauses} pauses`;
  const allocated =
    (run.allocation ? `  allocated ${run.allocation.kbPerLink} KB/link (sampled)` : '') +
    (run.promisesPerLink === undefined ? '' : `  promises ${run.promisesPerLink}/link`);
  return [
    `round ${run.round} ${run.server.padEnd(11)} ${l.linksPerSecond} links/s  p50 ${l.p50} p95 ${l.p95} p99 ${l.p99} ms  statuses ${JSON.stringify(l.statuses)}${l.errors ? ` errors ${l.errors}` : ''}`,
    `    CPU % server ${m('serverCpu')}  postgres ${m('postgresCpu')} (all ${m('postgresAllCpu')})  simulator ${m('simulatorCpu')}  loadgen ${m('loadgenCpu')}  machine ${m('machineCpu')} of ${run.cpu.machine.cores * 100}, others ${m('otherCpu')}`,
    `    CPU ms/link server ${m('serverMsPerLink')} (kernel ${m('serverSystemMsPerLink')}, ${m('serverSyscallsPerLink')} read/write syscalls)  postgres ${m('postgresMsPerLink')}  simulator ${m('simulatorMsPerLink')}  loadgen ${m('loadgenMsPerLink')}  | upstream/link ${m('upstreamPerLink')}  RSS ${run.cpu.rssMaxMb} MB  preempted ${run.cpu.involuntarySwitchesPerSecond}/s  loop delay p99 ${run.stats.loopP99Ms} max ${run.stats.loopMaxMs} ms  ${gc}  | loadgen loop p99 ${run.loadgenLoopP99Ms} ms  load ${run.cpu.machine.loadBefore[0]} → ${run.cpu.machine.loadAfter[0]}${allocated}`,
  ].join('\n');
}
