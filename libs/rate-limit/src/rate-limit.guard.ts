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

/**
 * Global guard registered after the authentication guards (RateLimitModule is imported after
 * AuthModule), so the API key and tenant of the caller are known when the budget is charged.
 * ThrottlerGuard still decides which budgets apply (skip decorators, skipIf, limits); instead of
 * one storage round trip per budget, its per-budget calls are collected and charged together.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  private readonly pending = new WeakMap<object, BucketCharge[]>();

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() private readonly buckets: PostgresThrottlerStorage,
    reflector: Reflector,
  ) {
    super(options, buckets, reflector);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<object>();
    const charges: BucketCharge[] = [];
    this.pending.set(request, charges);
    try {
      await super.canActivate(context);
    } finally {
      this.pending.delete(request);
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
    this.pending
      .get(props.context.switchToHttp().getRequest<object>())
      ?.push({ key, ttl: props.ttl, limit: props.limit, blockDuration: props.blockDuration });
    return true;
  }
}
