import { applyDecorators, SetMetadata } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';

/** Marks a route or controller that RateLimitGuard lets through without charging any budget. */
export const SKIP_RATE_LIMIT = 'sso-broker:skip-rate-limit';

/**
 * For orchestrator probes and metric scrapes: a 429 on /health/ready would take a healthy
 * instance out of rotation. SkipThrottle skips each budget in ThrottlerGuard's terms; the marker
 * lets RateLimitGuard answer such routes before any of ThrottlerGuard's per-budget work.
 */
export const SkipRateLimit = () =>
  applyDecorators(SkipThrottle({ key: true, tenant: true, ip: true }), SetMetadata(SKIP_RATE_LIMIT, true));
