import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Longest stretch a CPU-bound loop over a batch keeps the event loop before letting I/O and
 * timers run: a few milliseconds is invisible next to a request's own latency, while a batch of
 * thousands of hash checks run in one go stalled every request in flight for 40-75 ms
 * (docs/performance.md#eighth-pass).
 */
export const DEFAULT_SLICE_MS = 5;

/**
 * Calls `each` on every item in order, awaiting a macrotask turn (setImmediate: after pending
 * I/O callbacks) whenever the current slice has run for `sliceMs`. Order and results are those of
 * a plain loop; only the event loop sees the difference. Meant for work inside a process that
 * serves requests (audit checkpoint rounds, the verify route); the CLI, which shares the verify
 * code, pays a few idle turns for it.
 */
export async function forEachYielding<T>(
  items: readonly T[],
  each: (item: T) => void,
  sliceMs = DEFAULT_SLICE_MS,
): Promise<void> {
  let sliceStarted = performance.now();
  for (const item of items) {
    each(item);
    if (performance.now() - sliceStarted >= sliceMs) {
      await nextTurn();
      sliceStarted = performance.now();
    }
  }
}
