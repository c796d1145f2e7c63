/**
 * Event-loop delay and GC of a server under load, from the Prometheus text it exposes: the
 * broker's `/metrics` (prom-client's default process metrics) or the baseline's
 * `/_bench/stats`, which writes the same names with the same meaning (bench/baseline/bench-stats.ts).
 *
 * prom-client's event-loop monitor is `perf_hooks.monitorEventLoopDelay({ resolution: 10 })`,
 * reset at every scrape, so a scrape just before a run and one just after it give the run's
 * percentiles. The monitor records the time between two of its timer ticks, resolution included
 * (an idle loop reads ~10.1 ms): the delay is the value minus the resolution. GC pauses are a
 * histogram (`_sum` seconds and `_count` per kind) that only grows: the run's pauses are the
 * difference of two scrapes. So are the audit append statements and the events they carried
 * (`audit_append_events_per_statement`, group commit; docs/architecture.md#audit-group-commit).
 */
export const EVENT_LOOP_RESOLUTION_MS = 10;

export interface ServerScrape {
  loopP50Ms: number;
  loopP99Ms: number;
  loopMaxMs: number;
  gcSeconds: number;
  gcCount: number;
  appendStatements: number;
  appendedEvents: number;
}

export interface ServerStats {
  /** Event-loop delay over the run, ms beyond the monitor's resolution. */
  loopP50Ms: number;
  loopP99Ms: number;
  loopMaxMs: number;
  /** GC pauses during the run. */
  gcPauseMs: number;
  gcPauses: number;
  /** Audit events per autocommit append statement during the run (1: no grouping). */
  eventsPerAppendStatement: number;
}

export function parsePrometheus(text: string): ServerScrape {
  const value = (name: string) => {
    const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
    return match ? Number(match[1]) : NaN;
  };
  const sum = (name: string) =>
    [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce((s, m) => s + Number(m[1]), 0);
  return {
    loopP50Ms: value('nodejs_eventloop_lag_p50_seconds') * 1000,
    loopP99Ms: value('nodejs_eventloop_lag_p99_seconds') * 1000,
    loopMaxMs: value('nodejs_eventloop_lag_max_seconds') * 1000,
    gcSeconds: sum('nodejs_gc_duration_seconds_sum'),
    gcCount: sum('nodejs_gc_duration_seconds_count'),
    appendStatements: sum('audit_append_events_per_statement_count'),
    appendedEvents: sum('audit_append_events_per_statement_sum'),
  };
}

export async function scrape(url: string): Promise<ServerScrape> {
  const answer = await fetch(url);
  if (!answer.ok) throw new Error(`GET ${url} answered ${answer.status}`);
  return parsePrometheus(await answer.text());
}

/** The run's figures from the scrapes before and after it. */
export function statsBetween(before: ServerScrape, after: ServerScrape): ServerStats {
  const delay = (ms: number) => Math.round(Math.max(0, ms - EVENT_LOOP_RESOLUTION_MS) * 10) / 10;
  return {
    loopP50Ms: delay(after.loopP50Ms),
    loopP99Ms: delay(after.loopP99Ms),
    loopMaxMs: delay(after.loopMaxMs),
    gcPauseMs: Math.round((after.gcSeconds - before.gcSeconds) * 10_000) / 10,
    gcPauses: after.gcCount - before.gcCount,
    eventsPerAppendStatement:
      Math.round(
        ((after.appendedEvents - before.appendedEvents) / (after.appendStatements - before.appendStatements || 1)) *
          100,
      ) / 100,
  };
}
