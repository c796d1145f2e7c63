import { setFlagsFromString } from 'node:v8';

/**
 * Bounds how far the old generation may grow past the live heap before V8's next full
 * collection. Under load V8 chose factors near 2.5 for the broker (old space 110–130 MB over a
 * ~50 MB live heap, RSS ~240 MB); 50% held RSS near 170 MB at the same GC time per second
 * (docs/performance.md#memory-under-load). V8 reads this flag each time it sets the next limit,
 * so setting it at start, before the app is built, takes effect for the process's whole life.
 */
export function applyHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
