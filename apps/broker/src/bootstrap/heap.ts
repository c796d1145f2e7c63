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

/**
 * Turns V8's allocation-site pretenuring off unless asked to keep it. V8 decides per allocation site,
 * from how many of its objects survive a scavenge, to allocate that site's objects directly in the
 * old generation. Under load a request's objects often survive one scavenge (fifty requests in
 * flight, each living a good part of a scavenge interval), so request-scoped sites were pretenured,
 * and their objects, dead a few milliseconds later, waited in the old generation for a full
 * collection: 16.7 against 6.0 KB per link not reclaimed by scavenges, GC pause time per second
 * 32 against 20 ms on Node 20 (docs/performance.md#pretenuring). V8 reads the flag when it
 * processes its pretenuring feedback, at each GC, so setting it at start covers the process's life.
 */
export function applyPretenuring(enabled: boolean): void {
  if (!enabled) setFlagsFromString('--no-allocation-site-pretenuring');
}

/**
 * The Node flags the broker is started with (Dockerfile, `npm start`, `npm run start:prod`, the
 * bench). V8 sizes the young generation when the process starts, so unlike the flag above this
 * one cannot be set from inside. Node 20 and 22 cap a semi-space at 16 MB; Node 24 (the image's
 * Node) at 32 MB, which under load grew the broker's new space from 32 to 64 MB and its RSS from
 * ~170 to ~290 MB (docs/performance.md#young-generation-on-node-24). 16 keeps every line at the
 * size the broker was measured with.
 */
export const BROKER_NODE_FLAGS = ['--max-semi-space-size=16'] as const;

/** True when the process was started with the semi-space cap (on the command line or in NODE_OPTIONS). */
export function hasSemiSpaceCap(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  const given = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)];
  return given.some((arg) => /^--max[-_]semi[-_]space[-_]size(=|$)/.test(arg));
}
