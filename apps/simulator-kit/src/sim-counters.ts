/** Counters every simulator keeps; each adds its own numeric fields. */
export interface RequestCounters {
  /** Keyed by route template (`/api/2/clients/{client_id}`); unknown paths count under `(unmatched)`. */
  requestsByPath: Record<string, number>;
  faultsApplied: number;
}

export function countRequest(counters: RequestCounters, key: string): void {
  counters.requestsByPath[key] = (counters.requestsByPath[key] ?? 0) + 1;
}

/** Zeroes every numeric field in place, so references handed out earlier stay live. */
export function resetCounters(counters: RequestCounters): void {
  const fields = counters as unknown as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (typeof fields[key] === 'number') fields[key] = 0;
  }
  for (const key of Object.keys(counters.requestsByPath)) delete counters.requestsByPath[key];
}
