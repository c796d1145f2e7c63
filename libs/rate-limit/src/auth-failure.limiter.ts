import { type Clock, CLOCK, systemClock } from '@app/common';
import type { Environment } from '@app/config';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PostgresThrottlerStorage } from './postgres-throttler.storage';
import { RATE_LIMIT_WINDOW_MS } from './rate-limit.throttlers';

/** Addresses remembered as blocked per instance; the oldest go first beyond this. */
const MAX_BLOCKED_ADDRESSES = 10_000;

/**
 * Failed authentications per client IP. Each key lookup that fails (unknown or revoked key) is
 * charged to `auth_failures:<ip>` in the shared bucket table, so the budget is counted across every
 * instance; once an address is over it, this instance answers 429 without looking any key up until
 * the window ends. An instance learns of a block at its own first failure from that address, so a
 * storm spread over N instances costs at most N lookups more per window.
 */
@Injectable()
export class AuthFailureLimiter {
  private readonly blockedUntil = new Map<string, number>();
  private readonly limit: number;

  constructor(
    private readonly buckets: PostgresThrottlerStorage,
    config: ConfigService<Environment, true>,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {
    this.limit = config.get('RATE_LIMIT_AUTH_FAILURES_PER_IP_PER_MINUTE', { infer: true });
  }

  /** Seconds `ip` must wait before it may present a key again; 0 when it may. */
  retryAfter(ip: string): number {
    const until = this.blockedUntil.get(ip);
    if (until === undefined) return 0;
    const seconds = Math.ceil((until - this.clock.now()) / 1000);
    if (seconds > 0) return seconds;
    this.blockedUntil.delete(ip);
    return 0;
  }

  /** Counts a failed lookup; answers the seconds to wait when this failure went over the budget. */
  async recordFailure(ip: string): Promise<number> {
    const [record] = await this.buckets.chargeInOrder([
      { key: `auth_failures:${ip}`, ttl: RATE_LIMIT_WINDOW_MS, limit: this.limit, blockDuration: 0 },
    ]);
    if (record === undefined || !record.isBlocked) return 0;
    const seconds = Math.max(1, record.timeToBlockExpire);
    if (this.blockedUntil.size >= MAX_BLOCKED_ADDRESSES) {
      this.blockedUntil.delete(this.blockedUntil.keys().next().value as string);
    }
    this.blockedUntil.set(ip, this.clock.now() + seconds * 1000);
    return seconds;
  }
}
