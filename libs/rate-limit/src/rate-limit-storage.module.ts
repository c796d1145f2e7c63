import { Module } from '@nestjs/common';
import { AuthFailureLimiter } from './auth-failure.limiter';
import { PostgresThrottlerStorage } from './postgres-throttler.storage';

/**
 * The shared bucket store alone, without the global guard: for libs that count something of their
 * own in `rate_limit_buckets` (failed authentications per IP in @app/auth, the per-subject link
 * budget of docs/links.md#issuance-policy). Importing RateLimitModule instead would register its
 * global guard from that lib's place in the module graph, ahead of the auth guards.
 */
@Module({
  providers: [PostgresThrottlerStorage, AuthFailureLimiter],
  exports: [PostgresThrottlerStorage, AuthFailureLimiter],
})
export class RateLimitStorageModule {}
