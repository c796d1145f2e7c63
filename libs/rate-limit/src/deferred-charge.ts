import type { StatementPrelude } from '@app/database';
import { type BucketCharge, chargePrelude, type PostgresThrottlerStorage } from './postgres-throttler.storage';

/**
 * The rate-limit charge of a request on a route marked @DeferRateLimitCharge(): RateLimitGuard
 * decided which budgets apply but did not charge them, so the handler can fold the charge into
 * its first statement (one round trip fewer on the link-issuance path, docs/performance.md).
 * Every request is still charged exactly once: by that statement (`asPrelude`), on its own
 * (`chargeNow`), or, if the request ended before either (a 400 from validation, say), right
 * after its answer (`settleLate`, called by the guard's close listener).
 */
export class DeferredCharge {
  private settled = false;

  constructor(
    private readonly charges: readonly BucketCharge[],
    private readonly storage: PostgresThrottlerStorage,
  ) {}

  /**
   * The charges as the head of another statement (whose host calls its `accept`: 429 when a
   * budget is spent), or undefined if there is nothing left to charge.
   */
  asPrelude(): StatementPrelude | undefined {
    if (!this.claim()) return undefined;
    return chargePrelude(this.charges);
  }

  /** Charges in a statement of its own; 429 when a budget is spent. */
  async chargeNow(): Promise<void> {
    if (this.claim()) await this.storage.chargeOrRefuse(this.charges);
  }

  /** Charges after the answer when nothing else did; never throws (chargeInOrder fails open). */
  settleLate(): void {
    if (this.claim()) void this.storage.chargeInOrder(this.charges);
  }

  private claim(): boolean {
    if (this.settled || this.charges.length === 0) return false;
    this.settled = true;
    return true;
  }
}
