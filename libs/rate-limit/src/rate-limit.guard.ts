import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  ThrottlerModuleOptions,
  ThrottlerRequest,
} from '@nestjs/throttler';
import { BucketCharge, PostgresThrottlerStorage } from './postgres-throttler.storage';
import { RateLimitedException } from './rate-limited.exception';
import { SKIP_RATE_LIMIT } from './skip-rate-limit.decorator';

/** Where handleRequest leaves the request's charges for canActivate (a property, not a WeakMap entry per request: those cost the GC). */
const PENDING = Symbol('rate-limit charges');
type PendingRequest = { [PENDING]?: BucketCharge[] };

/**
 * Global guard registered after the authentication guards (RateLimitModule is imported after
 * AuthModule), so the API key and tenant of the caller are known when the budget is charged.
 * ThrottlerGuard still decides which budgets apply (skip decorators, skipIf, limits); instead of
 * one storage round trip per budget, its per-budget calls are collected and charged together.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  /** Per controller and handler: marked @SkipRateLimit()? Route metadata is fixed once the app is built. */
  private readonly skipped = new WeakMap<object, WeakMap<object, boolean>>();

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() private readonly buckets: PostgresThrottlerStorage,
    reflector: Reflector,
  ) {
    super(options, buckets, reflector);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.isSkipped(context)) return true;
    const request = context.switchToHttp().getRequest<PendingRequest>();
    const charges: BucketCharge[] = [];
    request[PENDING] = charges;
    try {
      await super.canActivate(context);
    } finally {
      request[PENDING] = undefined; // not `delete`: that would turn the request into a slow dictionary object
    }
    const records = await this.buckets.chargeInOrder(charges);
    const blocked = records.find((record) => record.isBlocked);
    if (blocked !== undefined) throw new RateLimitedException(Math.max(1, blocked.timeToBlockExpire));
    return true;
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const { req } = this.getRequestResponse(props.context);
    const tracker = await props.getTracker(req, props.context);
    const key = props.generateKey(props.context, tracker, props.throttler.name ?? 'default');
    props.context
      .switchToHttp()
      .getRequest<PendingRequest>()
      [PENDING]?.push({ key, ttl: props.ttl, limit: props.limit, blockDuration: props.blockDuration });
    return true;
  }

  private isSkipped(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    const controller = context.getClass();
    let handlers = this.skipped.get(controller);
    if (handlers === undefined) this.skipped.set(controller, (handlers = new WeakMap()));
    let skipped = handlers.get(handler);
    if (skipped === undefined) {
      skipped = this.reflector.getAllAndOverride<boolean>(SKIP_RATE_LIMIT, [handler, controller]) === true;
      handlers.set(handler, skipped);
    }
    return skipped;
  }
}
