import { ThrottlerException } from '@nestjs/throttler';

/** Thrown by RateLimitGuard; the problem-details filter answers 429 rate_limited with Retry-After. */
export class RateLimitedException extends ThrottlerException {
  constructor(readonly retryAfterSeconds: number) {
    super('Too many requests; retry later.');
  }
}
