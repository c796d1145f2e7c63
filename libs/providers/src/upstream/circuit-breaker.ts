import { Clock, systemClock } from '@app/common';
import { BoundedMap } from '../bounded-map';
import { ProviderException, ProviderExceptionCode } from '../providers.exception';

interface BreakerState {
  consecutiveFailures: number;
  openedAt?: number;
  probeInFlight: boolean;
}

/**
 * Per-connection breaker: closed → open after N consecutive upstream faults → half-open once the
 * cooldown has passed (one probe at a time) → closed on a healthy answer, open again on a fault.
 */
export class CircuitBreaker {
  private readonly states = new BoundedMap<string, BreakerState>(10_000);

  constructor(
    private readonly failureThreshold: number,
    private readonly cooldownMs: number,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Throws 503 upstream_circuit_open while open; lets one probe through when half-open. */
  acquire(key: string): void {
    const state = this.states.get(key);
    if (state?.openedAt === undefined) return;
    const remainingMs = state.openedAt + this.cooldownMs - this.clock.now();
    if (remainingMs <= 0 && !state.probeInFlight) {
      state.probeInFlight = true;
      return;
    }
    const retryAfterSeconds = Math.max(1, Math.ceil(remainingMs / 1000));
    throw new ProviderException(
      503,
      ProviderExceptionCode.UPSTREAM_CIRCUIT_OPEN,
      `The upstream failed repeatedly; calls to it are paused for ${retryAfterSeconds} s.`,
      { headers: { 'Retry-After': String(retryAfterSeconds) } },
    );
  }

  recordHealthy(key: string): void {
    this.states.delete(key);
  }

  /** Neither healthy nor a fault (the broker refused the call itself): only ends a half-open probe. */
  recordNeutral(key: string): void {
    const state = this.states.get(key);
    if (state !== undefined) state.probeInFlight = false;
  }

  recordFault(key: string): void {
    const state = this.states.get(key) ?? { consecutiveFailures: 0, probeInFlight: false };
    state.consecutiveFailures += 1;
    if (state.probeInFlight || state.consecutiveFailures >= this.failureThreshold) {
      state.openedAt = this.clock.now();
    }
    state.probeInFlight = false;
    this.states.set(key, state);
  }
}
