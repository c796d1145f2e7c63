import { constants, monitorEventLoopDelay, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/**
 * The baseline's equivalent of the broker's prom-client default metrics that the bench reads
 * (`GET /_bench/stats`), and the broker's audit_append_events_per_statement: the same metric names and meaning. Event-loop delay from
 * `monitorEventLoopDelay` at prom-client's default resolution (10 ms), reset at every read as
 * prom-client resets it at every scrape; GC pauses from a `PerformanceObserver('gc')`. Unlike
 * prom-client 15, which observes only the first entry of each delivered batch, every entry is
 * counted here (prom-client undercounts GC under load; docs/performance.md measures by how much).
 */
export class BenchStats {
  private readonly loop = monitorEventLoopDelay({ resolution: 10 });
  private readonly gc = new Map<string, { seconds: number; count: number }>();
  private appendStatements = 0;
  private appendedEvents = 0;
  private readonly observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const detail = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail;
      const kind = GC_KINDS[detail?.kind ?? -1] ?? 'unknown';
      const total = this.gc.get(kind) ?? { seconds: 0, count: 0 };
      total.seconds += entry.duration / 1000;
      total.count += 1;
      this.gc.set(kind, total);
    }
  });

  constructor() {
    this.loop.enable();
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** One append statement that carried `events` links (the broker's audit_append_events_per_statement). */
  recordAppend(events: number): void {
    this.appendStatements += 1;
    this.appendedEvents += events;
  }

  /** Prometheus text; resets the event-loop histogram. */
  render(): string {
    const s = (ns: number) => (Number.isFinite(ns) ? ns / 1e9 : 0);
    const lines = [
      `nodejs_eventloop_lag_p50_seconds ${s(this.loop.percentile(50))}`,
      `nodejs_eventloop_lag_p99_seconds ${s(this.loop.percentile(99))}`,
      `nodejs_eventloop_lag_max_seconds ${s(this.loop.max)}`,
      `nodejs_eventloop_lag_mean_seconds ${s(this.loop.mean)}`,
    ];
    for (const [kind, total] of this.gc) {
      lines.push(`nodejs_gc_duration_seconds_sum{kind="${kind}"} ${total.seconds}`);
      lines.push(`nodejs_gc_duration_seconds_count{kind="${kind}"} ${total.count}`);
    }
    lines.push(`audit_append_events_per_statement_sum ${this.appendedEvents}`);
    lines.push(`audit_append_events_per_statement_count ${this.appendStatements}`);
    this.loop.reset();
    return `${lines.join('\n')}\n`;
  }

  close(): void {
    this.loop.disable();
    this.observer.disconnect();
  }
}
