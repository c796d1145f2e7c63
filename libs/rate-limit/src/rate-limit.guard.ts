import { CanActivate, ExecutionContext, Injectable, OnModuleInit } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  ThrottlerModuleOptions,
  ThrottlerOptions,
  ThrottlerRequest,
} from '@nestjs/throttler';
import { httpReplyOf, httpRequestOf } from '@app/common';
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

/** Metadata keys of @nestjs/throttler's route decorators (@Throttle, @SkipThrottle, …) all start so. */
const THROTTLER_ROUTE_METADATA = 'THROTTLER:';

/**
 * What a route asks of the guard, worked out once per route: nothing (@SkipRateLimit); or a
 * charge, now or left to its handler (@DeferRateLimitCharge), of the module's budgets as they
 * are (`budgets`), or of what ThrottlerGuard's own per-request walk decides for a route that
 * overrides them with @nestjs/throttler's decorators (`budgets` undefined).
 */
type RoutePlan = { skip: true } | { skip: false; defer: boolean; budgets: readonly ThrottlerOptions[] | undefined };

type Resolvable = number | string | ((context: ExecutionContext) => number | string | Promise<number | string>);

/**
 * Global guard registered after the authentication guards (RateLimitModule is imported after
 * AuthModule), so the API key and tenant of the caller are known when the budget is charged.
 * The budgets are @nestjs/throttler's (module options: limits, skipIf, trackers). On a route
 * without throttler decorators of its own, which is every route of the broker, they are read
 * from the options directly instead of through ThrottlerGuard's walk, which asks the reflector
 * six times and awaits four times per budget and request (~5 KB of garbage per link,
 * docs/performance.md). Either way the charges are made together, in one round trip.
 */
@Injectable()
export class RateLimitGuard implements CanActivate, OnModuleInit {
  /** Per controller and handler; route metadata is fixed once the app is built. */
  private readonly plans = new WeakMap<object, WeakMap<object, RoutePlan>>();
  /** @nestjs/throttler's guard, for its options as it resolves them and its walk (held, not extended: see canActivate). */
  private readonly throttler: ThrottlerBudgets;

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() private readonly buckets: PostgresThrottlerStorage,
    private readonly reflector: Reflector,
  ) {
    this.throttler = new ThrottlerBudgets(options, buckets, reflector);
  }

  onModuleInit(): Promise<void> {
    return this.throttler.onModuleInit();
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const plan = this.planOf(context);
    // A plain `true` when there is nothing to charge (ThrottlerGuard's signature allows only a
    // promise, hence composition): Nest awaits a promise from every guard, and the health probes
    // are the most frequent requests (docs/performance.md).
    return plan.skip || this.charge(context, plan);
  }

  /**
   * Synchronous when every budget's values are (a tenant's own limit is, once cached) and the
   * charge is deferred, which is the link route's case: Nest then takes the plain `true` without
   * a turn of the microtask queue.
   */
  private charge(context: ExecutionContext, plan: RoutePlan & { skip: false }): boolean | Promise<boolean> {
    const charges =
      plan.budgets === undefined ? this.throttler.chargesOfWalk(context) : this.chargesOf(context, plan.budgets);
    return Array.isArray(charges)
      ? this.settle(context, plan, charges)
      : charges.then((resolved) => this.settle(context, plan, resolved));
  }

  private settle(context: ExecutionContext, plan: { defer: boolean }, charges: BucketCharge[]): true | Promise<true> {
    if (plan.defer) {
      const deferred = new DeferredCharge(charges, this.buckets);
      httpRequestOf<PendingRequest>(context)[DEFERRED_CHARGE] = deferred;
      // 'close' follows every answer, and a client that went away: an uncharged request is charged then.
      httpReplyOf<FastifyReply>(context).raw.once('close', () => deferred.settleLate());
      return true;
    }
    return this.buckets.chargeOrRefuse(charges).then(() => true);
  }

  /** The module's budgets that apply to this request, as ThrottlerGuard would resolve them; a promise only when one of their values is. */
  private chargesOf(
    context: ExecutionContext,
    budgets: readonly ThrottlerOptions[],
  ): BucketCharge[] | Promise<BucketCharge[]> {
    const request = httpRequestOf<Record<string, unknown>>(context);
    const common = this.throttler.common();
    const charges: (BucketCharge | Promise<BucketCharge>)[] = [];
    let pending = false;
    for (const budget of budgets) {
      const skipIf = budget.skipIf ?? common.skipIf;
      if (skipIf?.(context)) continue;
      const name = budget.name ?? 'default';
      const ttl = resolveNumber(budget.ttl, context, 'ttl', name);
      const limit = resolveNumber(budget.limit, context, 'limit', name);
      const blockDuration =
        budget.blockDuration === undefined ? ttl : resolveNumber(budget.blockDuration, context, 'blockDuration', name);
      const getTracker = (budget.getTracker ?? common.getTracker)!;
      const generateKey = (budget.generateKey ?? common.generateKey)!;
      const tracker = getTracker(request, context);
      if (
        typeof tracker === 'string' &&
        typeof ttl === 'number' &&
        typeof limit === 'number' &&
        typeof blockDuration === 'number'
      ) {
        charges.push({ key: generateKey(context, tracker, name), ttl, limit, blockDuration });
      } else {
        pending = true;
        charges.push(
          resolvedCharge((tracked) => generateKey(context, tracked, name), tracker, ttl, limit, blockDuration),
        );
      }
    }
    return pending ? Promise.all(charges.map((charge) => Promise.resolve(charge))) : (charges as BucketCharge[]);
  }

  private planOf(context: ExecutionContext): RoutePlan {
    const handler = context.getHandler();
    const controller = context.getClass();
    let handlers = this.plans.get(controller);
    if (handlers === undefined) this.plans.set(controller, (handlers = new WeakMap()));
    let plan = handlers.get(handler);
    if (plan === undefined) {
      const targets = [handler, controller];
      if (this.reflector.getAllAndOverride<boolean>(SKIP_RATE_LIMIT, targets) === true) plan = { skip: true };
      else {
        const overridden = targets.some((target) =>
          Reflect.getMetadataKeys(target).some(
            (key) => typeof key === 'string' && key.startsWith(THROTTLER_ROUTE_METADATA),
          ),
        );
        plan = {
          skip: false,
          defer: this.reflector.getAllAndOverride<boolean>(DEFER_RATE_LIMIT_CHARGE, targets) === true,
          budgets: overridden ? undefined : this.throttler.budgets(),
        };
      }
      handlers.set(handler, plan);
    }
    return plan;
  }
}

/**
 * @nestjs/throttler's guard as RateLimitGuard uses it: the module's budgets and common options
 * once onModuleInit has resolved them, and its per-request walk for routes with throttler
 * decorators of their own, the charges of which it collects instead of making them one by one.
 */
class ThrottlerBudgets extends ThrottlerGuard {
  budgets(): readonly ThrottlerOptions[] {
    return this.throttlers;
  }

  common(): ThrottlerGuard['commonOptions'] {
    return this.commonOptions;
  }

  async chargesOfWalk(context: ExecutionContext): Promise<BucketCharge[]> {
    const request = httpRequestOf<PendingRequest>(context);
    const charges: BucketCharge[] = [];
    request[PENDING] = charges;
    try {
      await this.canActivate(context);
    } finally {
      request[PENDING] = undefined; // not `delete`: that would turn the request into a slow dictionary object
    }
    return charges;
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const { req } = this.getRequestResponse(props.context);
    const tracker = await props.getTracker(req, props.context);
    const key = props.generateKey(props.context, tracker, props.throttler.name ?? 'default');
    (req as PendingRequest)[PENDING]?.push({
      key,
      ttl: props.ttl,
      limit: props.limit,
      blockDuration: props.blockDuration,
    });
    return true;
  }
}

/** A budget's charge once those of its values that are promises have settled. */
async function resolvedCharge(
  keyOf: (tracker: string) => string,
  tracker: string | Promise<string>,
  ttl: number | Promise<number>,
  limit: number | Promise<number>,
  blockDuration: number | Promise<number>,
): Promise<BucketCharge> {
  return { key: keyOf(await tracker), ttl: await ttl, limit: await limit, blockDuration: await blockDuration };
}

/** A budget's ttl, limit or block duration: a number, or a function of the request (sync or async). */
function resolveNumber(
  value: Resolvable,
  context: ExecutionContext,
  option: string,
  budget: string,
): number | Promise<number> {
  const resolved = typeof value === 'function' ? value(context) : value;
  return typeof resolved === 'object'
    ? resolved.then((plain) => toNumber(plain, option, budget))
    : toNumber(resolved, option, budget);
}

function toNumber(value: number | string, option: string, budget: string): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || Number.isNaN(number))
    throw new Error(`Invalid "${option}" for the "${budget}" rate-limit budget: ${JSON.stringify(value)}`);
  return number;
}
