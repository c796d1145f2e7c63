import { httpRequestOf } from '@app/common';
import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { DeferredCharge } from './deferred-charge';

export const DEFER_RATE_LIMIT_CHARGE = 'sso-broker:defer-rate-limit-charge';

/** Where RateLimitGuard leaves a deferred charge for the handler. */
export const DEFERRED_CHARGE = Symbol('deferred rate-limit charge');
export type RequestWithDeferredCharge = { [DEFERRED_CHARGE]?: DeferredCharge };

/**
 * A route whose handler makes the rate-limit charge itself (see DeferredCharge), taken with
 * `@RateLimitCharge()`. The budgets are the same; what changes is when a spent budget is seen:
 * at the handler's first statement instead of before validation, so an over-budget request with
 * an invalid body gets its 400 (and is still charged).
 */
export const DeferRateLimitCharge = () => SetMetadata(DEFER_RATE_LIMIT_CHARGE, true);

/** The charge RateLimitGuard left on a @DeferRateLimitCharge() route's request: what `@RateLimitCharge()` gives. */
export function rateLimitChargeOf(request: object): DeferredCharge | undefined {
  return (request as RequestWithDeferredCharge)[DEFERRED_CHARGE];
}

/** `@RateLimitCharge() charge: DeferredCharge | undefined` on a @DeferRateLimitCharge() route. */
export const RateLimitCharge = createParamDecorator((_: unknown, host: ExecutionContext): DeferredCharge | undefined =>
  rateLimitChargeOf(httpRequestOf(host)),
);
