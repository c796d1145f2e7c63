import type { ProcessUsage } from './proc-sampler';
import type { LoadResult } from './load';
import { median } from './latency';

export interface RunRecord {
  server: 'broker' | 'baseline';
  round: number;
  load: LoadResult;
  usage: ProcessUsage;
}

export interface Summary {
  server: 'broker' | 'baseline';
  linksPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  cpuPercent: number;
  rssMb: number;
  failures: number;
}

export const GOALS = { throughputRatio: 0.85, p99Ratio: 1.25 };

/** Medians over the rounds of one server. */
export function summarise(runs: RunRecord[], server: 'broker' | 'baseline'): Summary {
  const mine = runs.filter((r) => r.server === server);
  const pick = (f: (r: RunRecord) => number) => median(mine.map(f));
  return {
    server,
    linksPerSecond: pick((r) => r.load.linksPerSecond),
    p50: pick((r) => r.load.p50),
    p95: pick((r) => r.load.p95),
    p99: pick((r) => r.load.p99),
    cpuPercent: pick((r) => r.usage.cpuPercent),
    rssMb: pick((r) => r.usage.rssMaxMb),
    failures: mine.reduce((sum, r) => sum + (r.load.requests - r.load.links) + r.load.errors, 0),
  };
}

export function renderTable(broker: Summary, baseline: Summary): string {
  const ratio = (a: number, b: number) => (b === 0 ? 'n/a' : (a / b).toFixed(2));
  const rows = [
    ['', 'broker', 'baseline', 'broker/baseline', 'goal'],
    [
      'links/s',
      String(broker.linksPerSecond),
      String(baseline.linksPerSecond),
      ratio(broker.linksPerSecond, baseline.linksPerSecond),
      `>= ${GOALS.throughputRatio}`,
    ],
    ['p50 ms', String(broker.p50), String(baseline.p50), ratio(broker.p50, baseline.p50), ''],
    ['p95 ms', String(broker.p95), String(baseline.p95), ratio(broker.p95, baseline.p95), ''],
    ['p99 ms', String(broker.p99), String(baseline.p99), ratio(broker.p99, baseline.p99), `<= ${GOALS.p99Ratio}`],
    [
      'CPU % (1 core = 100)',
      String(broker.cpuPercent),
      String(baseline.cpuPercent),
      ratio(broker.cpuPercent, baseline.cpuPercent),
      '',
    ],
    ['RSS max MB', String(broker.rssMb), String(baseline.rssMb), ratio(broker.rssMb, baseline.rssMb), ''],
    ['non-201 answers + errors', String(broker.failures), String(baseline.failures), '', '0'],
  ];
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
  return rows.map((row) => row.map((cell, col) => cell.padEnd(widths[col])).join('  ')).join('\n');
}
