import { EventEmitter } from 'node:events';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { Throttle, type ThrottlerModuleOptions } from '@nestjs/throttler';
import { DEFERRED_CHARGE, DeferRateLimitCharge } from './defer-rate-limit-charge.decorator';
import type { BucketCharge, PostgresThrottlerStorage } from './postgres-throttler.storage';
import { RateLimitGuard } from './rate-limit.guard';
import { SkipRateLimit } from './skip-rate-limit.decorator';

type Principal = { keyId: string; tenantId: string | null };
const principalOf = (context: ExecutionContext) =>
  context.switchToHttp().getRequest<{ principal?: Principal }>().principal;

const OPTIONS: ThrottlerModuleOptions = {
  generateKey: (_context, tracker) => tracker,
  throttlers: [
    {
      name: 'key',
      ttl: 60_000,
      blockDuration: 0,
      limit: 10,
      skipIf: (context) => principalOf(context) === undefined,
      getTracker: (req) => `key:${(req as { principal?: Principal }).principal?.keyId}`,
    },
    {
      name: 'tenant',
      ttl: 60_000,
      blockDuration: 0,
      limit: async () => Promise.resolve(20), // as the tenant's own limit: resolved per request
      skipIf: (context) => !principalOf(context)?.tenantId,
      getTracker: (req) => `tenant:${(req as { principal?: Principal }).principal?.tenantId}`,
    },
    {
      name: 'ip',
      ttl: 60_000,
      limit: 5,
      skipIf: (context) => principalOf(context) !== undefined,
      getTracker: (req) => `ip:${(req as { ip: string }).ip}`,
    },
  ],
};

class Routes {
  plain(): void {}

  @Throttle({ key: { limit: 3, ttl: 1_000 } })
  overridden(): void {}

  @SkipRateLimit()
  skipped(): void {}

  @DeferRateLimitCharge()
  deferred(): void {}
}

async function setUp() {
  const charged: BucketCharge[][] = [];
  const storage = {
    chargeOrRefuse: jest.fn(async (charges: BucketCharge[]) => void charged.push(charges)),
    chargeInOrder: jest.fn(async (charges: BucketCharge[]) => (charged.push(charges), [])),
  };
  const guard = new RateLimitGuard(OPTIONS, storage as unknown as PostgresThrottlerStorage, new Reflector());
  await guard.onModuleInit();
  const contextOf = (route: keyof Routes, principal?: Principal) => {
    const request: Record<string | symbol, unknown> = { principal, ip: '192.0.2.7', headers: {} };
    const raw = new EventEmitter();
    return { request, raw, context: new ExecutionContextHost([request, { raw }], Routes, Routes.prototype[route]) };
  };
  const call = async (route: keyof Routes, principal?: Principal) => {
    const { request, raw, context } = contextOf(route, principal);
    expect(await guard.canActivate(context)).toBe(true);
    return { request, raw };
  };
  return { call, contextOf, guard, charged, storage };
}

const portal = { keyId: 'k1', tenantId: 't1' };

describe('RateLimitGuard', () => {
  it("charges the module's budgets that apply, key before tenant, in one call", async () => {
    const { call, charged } = await setUp();
    await call('plain', portal);
    expect(charged).toEqual([
      [
        { key: 'key:k1', ttl: 60_000, limit: 10, blockDuration: 0 },
        { key: 'tenant:t1', ttl: 60_000, limit: 20, blockDuration: 0 },
      ],
    ]);
  });

  it('charges callers without a key per IP, with the ttl as block duration when none is set', async () => {
    const { call, charged } = await setUp();
    await call('plain');
    expect(charged).toEqual([[{ key: 'ip:192.0.2.7', ttl: 60_000, limit: 5, blockDuration: 60_000 }]]);
  });

  it("honours a route's own @Throttle through ThrottlerGuard's walk", async () => {
    const { call, charged } = await setUp();
    await call('overridden', portal);
    expect(charged[0]).toContainEqual({ key: 'key:k1', ttl: 1_000, limit: 3, blockDuration: 0 });
    expect(charged[0]).toContainEqual({ key: 'tenant:t1', ttl: 60_000, limit: 20, blockDuration: 0 });
  });

  it('charges nothing on a @SkipRateLimit route, answering at once (no promise for Nest to await)', async () => {
    const { contextOf, guard, storage } = await setUp();
    expect(guard.canActivate(contextOf('skipped', portal).context)).toBe(true);
    expect(storage.chargeOrRefuse).not.toHaveBeenCalled();
    expect(storage.chargeInOrder).not.toHaveBeenCalled();
  });

  it('leaves the charge of a @DeferRateLimitCharge route to its handler, and makes it when the answer closes untaken', async () => {
    const { call, charged } = await setUp();
    const { request, raw } = await call('deferred', portal);
    expect(charged).toEqual([]);
    expect(request[DEFERRED_CHARGE]).toBeDefined();
    raw.emit('close');
    raw.emit('close');
    expect(charged).toHaveLength(1);
    expect(charged[0].map((charge) => charge.key)).toEqual(['key:k1', 'tenant:t1']);
  });

  it('answers a deferred route at once when every budget value is plain, and through a promise while one is not', async () => {
    const plainTenantLimit = { ...OPTIONS, throttlers: OPTIONS.throttlers.map((budget) => ({ ...budget, limit: 20 })) };
    const storage = { chargeOrRefuse: jest.fn(), chargeInOrder: jest.fn() };
    const guard = new RateLimitGuard(plainTenantLimit, storage as unknown as PostgresThrottlerStorage, new Reflector());
    await guard.onModuleInit();
    const { contextOf } = await setUp();
    const { request, context } = contextOf('deferred', portal);
    expect(guard.canActivate(context)).toBe(true);
    expect(request[DEFERRED_CHARGE]).toBeDefined();

    // The tenant's own limit still being looked up (OPTIONS): the same answer, once it has come.
    const pending = await setUp();
    const answer = pending.guard.canActivate(pending.contextOf('deferred', portal).context);
    expect(answer).toBeInstanceOf(Promise);
    expect(await answer).toBe(true);
  });
});
