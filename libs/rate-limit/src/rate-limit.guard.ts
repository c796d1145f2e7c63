import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  ThrottlerModuleOptions,
  ThrottlerRequest,
} from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import {
  DEFER_RATE_LIMIT_CHARGE,
  DEFERRED_CHARGE,
  RequestWithDeferredCharge,
} from './defer-rate-limit-charge.decorator';
import { DeferredCharge } from './deferred-charge';
import { BucketCharge, PostgresThrottlerStorage } from './postgres-throttler.storage';
import { SKIP_RATE_LIMIT } from './skip-rate-limit.decorator';

/** Where handleRequest leaves the request's charges for canActivate (a property, not a WeakMap entry per request: those cost the GC). */
const PENDING = Symbol('rate-limit charges');
type PendingRequest = { [PENDING]?: BucketCharge[] } & RequestWithDeferredCharge;

/** What a route asks of the guard: nothing (@SkipRateLimit), a charge now, or a charge left to its handler. */
type RouteMode = 'skip' | 'charge' | 'defer';

/**
 * Global guard registered after the authentication guards (RateLimitModule is imported after
 * AuthModule), so the API key and tenant of the caller are known when the budget is charged.
 * ThrottlerGuard still decides which budgets apply (skip decorators, skipIf, limits); instead of
 * one storage round trip per budget, its per-budget calls are collected and charged together.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  /** Per controller and handler; route metadata is fixed once the app is built. */
  private readonly modes = new WeakMap<object, WeakMap<object, RouteMode>>();

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() private readonly buckets: PostgresThrottlerStorage,
    reflector: Reflector,
  ) {
    super(options, buckets, reflector);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const mode = this.modeOf(context);
    if (mode === 'skip') return true;
    const request = context.switchToHttp().getRequest<PendingRequest>();
    const charges: BucketCharge[] = [];
    request[PENDING] = charges;
    try {
      await super.canActivate(context);
    } finally {
      request[PENDING] = undefined; // not `delete`: that would turn the request into a slow dictionary object
    }
    if (mode === 'defer') {
      const deferred = new DeferredCharge(charges, this.buckets);
      request[DEFERRED_CHARGE] = deferred;
      // 'close' follows every answer, and a client that went away: an uncharged request is charged then.
      context
        .switchToHttp()
        .getResponse<FastifyReply>()
        .raw.once('close', () => deferred.settleLate());
      return true;
    }
    await this.buckets.chargeOrRefuse(charges);
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

  private modeOf(context: ExecutionContext): RouteMode {
    const handler = context.getHandler();
    const controller = context.getClass();
    let handlers = this.modes.get(controller);
    if (handlers === undefined) this.modes.set(controller, (handlers = new WeakMap()));
    let mode = handlers.get(handler);
    if (mode === undefined) {
      const targets = [handler, controller];
      mode =
        this.reflector.getAllAndOverride<boolean>(SKIP_RATE_LIMIT, targets) === true
          ? 'skip'
          : this.reflector.getAllAndOverride<boolean>(DEFER_RATE_LIMIT_CHARGE, targets) === true
            ? 'defer'
            : 'charge';
      handlers.set(handler, mode);
    }
    return mode;
  }
}
