export { RateLimitModule } from './rate-limit.module';
export { RateLimitStorageModule } from './rate-limit-storage.module';
export { RateLimitGuard } from './rate-limit.guard';
export { SkipRateLimit } from './skip-rate-limit.decorator';
export { RateLimitedException } from './rate-limited.exception';
export { PostgresThrottlerStorage } from './postgres-throttler.storage';
export { RATE_LIMIT_WINDOW_MS } from './rate-limit.throttlers';
export { AuthFailureLimiter } from './auth-failure.limiter';
