/**
 * Wall-clock time in epoch milliseconds, injected wherever an expiry, TTL or cooldown is computed
 * so that specs can move time forward instead of sleeping. Production code uses `systemClock`.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * Nest injection token for a Clock. Nothing provides it in the application: consumers take it as
 * `@Optional() @Inject(CLOCK) clock: Clock = systemClock`, so a testing module may provide one.
 */
export const CLOCK = Symbol('CLOCK');
