import type { ExecutionContext } from '@nestjs/common';
import type { ThrottlerModuleOptions } from '@nestjs/throttler';
import { type BrokerRequest, httpRequestOf, type Principal } from '@app/common';
import type { TenantRateLimits } from './tenant-rate-limits';

export const RATE_LIMIT_WINDOW_MS = 60_000;

export interface RateLimitDefaults {
  perKeyPerMinute: number;
  perTenantPerMinute: number;
  perIpPerMinute: number;
}

const principalOf = (context: ExecutionContext): Principal | undefined => httpRequestOf(context).principal;
/** The bucket key is the tracker itself: one budget per key/tenant/IP across every route. */
const trackerAsKey = (_: ExecutionContext, tracker: string) => tracker;

/**
 * Three budgets per minute: per API key, per tenant (the tenant's own limit when set) and, for
 * callers without a key (public routes such as /l/:opaque), per client IP.
 */
export function buildThrottlers(defaults: RateLimitDefaults, tenantLimits: TenantRateLimits): ThrottlerModuleOptions {
  return {
    setHeaders: false,
    generateKey: trackerAsKey,
    throttlers: [
      {
        name: 'key',
        ttl: RATE_LIMIT_WINDOW_MS,
        blockDuration: 0,
        limit: defaults.perKeyPerMinute,
        skipIf: (context) => principalOf(context) === undefined,
        getTracker: (req) => `key:${(req as BrokerRequest).principal?.keyId}`,
      },
      {
        name: 'tenant',
        ttl: RATE_LIMIT_WINDOW_MS,
        blockDuration: 0,
        limit: (context) =>
          tenantLimits.perMinute(principalOf(context)?.tenantId as string, defaults.perTenantPerMinute),
        skipIf: (context) => !principalOf(context)?.tenantId,
        getTracker: (req) => `tenant:${(req as BrokerRequest).principal?.tenantId}`,
      },
      {
        name: 'ip',
        ttl: RATE_LIMIT_WINDOW_MS,
        blockDuration: 0,
        limit: defaults.perIpPerMinute,
        skipIf: (context) => principalOf(context) !== undefined,
        getTracker: (req) => `ip:${(req as BrokerRequest).ip ?? 'unknown'}`,
      },
    ],
  };
}
