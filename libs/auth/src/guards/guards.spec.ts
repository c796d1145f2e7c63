import type { Principal } from '@app/common';
import { Controller, ExecutionContext, Get, type Type } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { Reflector } from '@nestjs/core';
import { Auth } from '../decorators/auth.decorator';
import { Public } from '../decorators/public.decorator';
import { ConsoleSessionAuthenticator } from '../console-sessions/console-session.authenticator';
import { ApiKeyAuthGuard } from './api-key-auth.guard';
import { RolesGuard } from './roles.guard';
import { TenantScopeGuard } from './tenant-scope.guard';
import type { ApiKeyStrategy } from '../passport/api-key.strategy';
import type { AuthFailureLimiter } from '@app/rate-limit';

@Controller()
class FixtureController {
  @Public() @Get() open() {}
  @Auth({ roles: ['admin'] }) @Get() adminOnly() {}
  @Auth({ roles: ['admin', 'portal'], tenant: { in: 'path', required: true } }) @Get() tenantScoped() {}
  @Auth({ roles: ['admin', 'auditor'], tenant: { in: 'query', required: false } }) @Get() tenantsOptional() {}
  @Auth({ roles: ['admin', 'portal'], tenant: { in: 'body', required: true } }) @Get() tenantInBody() {}
  @Get() forgotten() {}
}

@Public()
@Controller()
class PublicFixtureController {
  @Get() anything() {}
}

type Handler = keyof FixtureController;
const admin: Principal = { keyId: 'k1', role: 'admin', tenantId: null };
const tenantA = '11111111-1111-4111-8111-111111111111';
const tenantB = '22222222-2222-4222-8222-222222222222';
const portalA: Principal = { keyId: 'k2', role: 'portal', tenantId: tenantA };
const auditor: Principal = { keyId: 'k3', role: 'auditor', tenantId: null };

function contextFor(
  handler: Handler,
  request: {
    principal?: Principal;
    params?: Record<string, string>;
    query?: Record<string, unknown>;
    body?: unknown;
    headers?: Record<string, string>;
    rawHeaders?: string[];
  },
  controller: object = FixtureController,
): ExecutionContext {
  const req = {
    method: 'GET',
    url: '/x',
    ip: '192.0.2.1',
    params: {},
    query: {},
    headers: {},
    ...request,
    raw: { rawHeaders: request.rawHeaders ?? Object.entries(request.headers ?? {}).flat() },
  };
  const target =
    controller === FixtureController
      ? FixtureController.prototype[handler]
      : PublicFixtureController.prototype.anything;
  // Nest's own context, as the guards get it (they read the request as its argument 0).
  const context = new ExecutionContextHost([req, {}, undefined], controller as Type, target);
  context.setType('http');
  return context;
}

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return { status: (error as { status: number }).status, code: (error as { code: string }).code };
  }
  return 'allowed';
};

describe('RolesGuard', () => {
  const sut = new RolesGuard(new Reflector());

  it('lets public routes through without a principal', () => {
    expect(codeOf(() => sut.canActivate(contextFor('open', {})))).toBe('allowed');
    expect(codeOf(() => sut.canActivate(contextFor('forgotten', {}, PublicFixtureController)))).toBe('allowed');
  });

  it('allows a listed role', () => {
    expect(codeOf(() => sut.canActivate(contextFor('adminOnly', { principal: admin })))).toBe('allowed');
    expect(codeOf(() => sut.canActivate(contextFor('tenantScoped', { principal: portalA })))).toBe('allowed');
  });

  it('refuses an unlisted role with 403 forbidden_role', () => {
    expect(codeOf(() => sut.canActivate(contextFor('adminOnly', { principal: portalA })))).toEqual({
      status: 403,
      code: 'forbidden_role',
    });
    expect(codeOf(() => sut.canActivate(contextFor('tenantScoped', { principal: auditor })))).toEqual({
      status: 403,
      code: 'forbidden_role',
    });
  });

  it('denies a route that declares neither @Auth nor @Public, even to an admin', () => {
    expect(codeOf(() => sut.canActivate(contextFor('forgotten', { principal: admin })))).toEqual({
      status: 403,
      code: 'route_not_authorized',
    });
  });

  it('fails with a 500 when no authentication guard ran before it', () => {
    expect(codeOf(() => sut.canActivate(contextFor('adminOnly', {})))).toEqual({ status: 500, code: 'internal_error' });
  });
});

describe('TenantScopeGuard', () => {
  const sut = new TenantScopeGuard(new Reflector());
  const auditorA: Principal = { keyId: 'k4', role: 'auditor', tenantId: tenantA };
  const selectionAfter = (handler: Handler, request: Parameters<typeof contextFor>[1]) => {
    const ctx = contextFor(handler, request);
    const outcome = codeOf(() => sut.canActivate(ctx));
    return outcome === 'allowed'
      ? ctx.switchToHttp().getRequest<{ tenantSelection: unknown }>().tenantSelection
      : outcome;
  };

  it('scopes a tenant-bound key to its own tenant, named in any letter case, in path, query or body', () => {
    expect(
      selectionAfter('tenantScoped', { principal: portalA, params: { tenant_id: tenantA.toUpperCase() } }),
    ).toEqual({
      tenantId: tenantA,
    });
    expect(
      selectionAfter('tenantsOptional', { principal: auditorA, query: { tenant_id: tenantA.toUpperCase() } }),
    ).toEqual({
      tenantId: tenantA,
    });
    expect(selectionAfter('tenantInBody', { principal: portalA, body: { tenant_id: tenantA } })).toEqual({
      tenantId: tenantA,
    });
  });

  it('scopes a tenant-bound key that names no tenant to its own', () => {
    expect(selectionAfter('tenantsOptional', { principal: auditorA, query: {} })).toEqual({ tenantId: tenantA });
    expect(selectionAfter('tenantInBody', { principal: portalA, body: {} })).toEqual({ tenantId: tenantA });
  });

  it('answers 404 tenant_not_found, as for an unknown tenant, when a tenant-bound key names another one anywhere', () => {
    const notFound = { status: 404, code: 'tenant_not_found' };
    expect(selectionAfter('tenantScoped', { principal: portalA, params: { tenant_id: tenantB } })).toEqual(notFound);
    expect(selectionAfter('tenantsOptional', { principal: auditorA, query: { tenant_id: tenantB } })).toEqual(notFound);
    expect(selectionAfter('tenantInBody', { principal: portalA, body: { tenant_id: tenantB } })).toEqual(notFound);
    expect(selectionAfter('tenantInBody', { principal: portalA, body: { tenant_id: ['x'] } })).toEqual(notFound);
    expect(selectionAfter('tenantsOptional', { principal: auditorA, query: { tenant_id: 'not-a-uuid' } })).toEqual(
      notFound,
    );
  });

  it('lets keys that span all tenants name any tenant, and answers 400 invalid_id for a malformed one', () => {
    expect(selectionAfter('tenantScoped', { principal: admin, params: { tenant_id: tenantB.toUpperCase() } })).toEqual({
      tenantId: tenantB,
    });
    expect(selectionAfter('tenantScoped', { principal: admin, params: { tenant_id: 'x' } })).toEqual({
      status: 400,
      code: 'invalid_id',
    });
    expect(selectionAfter('tenantInBody', { principal: admin, body: { tenant_id: 'x' } })).toEqual({
      status: 400,
      code: 'validation_failed',
    });
  });

  it('gives a key spanning all tenants every tenant when it names none, unless the route requires one', () => {
    expect(selectionAfter('tenantsOptional', { principal: auditor, query: {} })).toEqual({ allTenants: true });
    expect(selectionAfter('tenantInBody', { principal: admin, body: {} })).toEqual({
      status: 400,
      code: 'tenant_id_required',
    });
  });

  it('ignores routes without a tenant source', () => {
    expect(codeOf(() => sut.canActivate(contextFor('adminOnly', { principal: portalA })))).toBe('allowed');
  });
});

/** An AuthFailureLimiter that makes every address wait `seconds` (0: none). */
const limiter = (seconds = 0) => ({ retryAfter: () => seconds }) as unknown as AuthFailureLimiter;

/** Requests in these tests carry no console cookie. */
const noConsole = { cookieOf: () => undefined } as unknown as ConsoleSessionAuthenticator;

describe('ApiKeyAuthGuard', () => {
  /** A passport strategy that answers what the real one would, without a database. */
  const strategyAnswering = (outcome: { principal?: Principal; fail?: true; error?: Error }) =>
    ({
      authenticate(this: { success(p: Principal): void; fail(c: string): void; error(e: Error): void }) {
        if (outcome.principal) this.success(outcome.principal);
        else if (outcome.error) this.error(outcome.error);
        else this.fail('Bearer realm="Users"');
      },
    }) as unknown as ApiKeyStrategy;
  const failureOf = async (outcome: boolean | Promise<unknown>) =>
    Promise.resolve(outcome).then(
      () => 'allowed',
      (e: { status: number; code: string; headers?: object }) => e,
    );

  it('skips authentication on @Public() routes, answering at once (no promise for Nest to await)', () => {
    const sut = new ApiKeyAuthGuard(
      new Reflector(),
      strategyAnswering({ error: new Error('must not run') }),
      limiter(),
      noConsole,
    );
    expect(sut.canActivate(contextFor('open', {}))).toBe(true);
  });

  it('sets the principal the strategy resolved on the request', async () => {
    const sut = new ApiKeyAuthGuard(new Reflector(), strategyAnswering({ principal: portalA }), limiter(), noConsole);
    const ctx = contextFor('adminOnly', { headers: { authorization: 'Bearer k' } });
    expect(await sut.canActivate(ctx)).toBe(true);
    expect(ctx.switchToHttp().getRequest().principal).toBe(portalA);
  });

  it('turns a missing header into 401 missing_api_key with a Bearer challenge', async () => {
    const sut = new ApiKeyAuthGuard(new Reflector(), strategyAnswering({ fail: true }), limiter(), noConsole);
    expect(await failureOf(sut.canActivate(contextFor('adminOnly', {})))).toMatchObject({
      status: 401,
      code: 'missing_api_key',
      headers: { 'WWW-Authenticate': 'Bearer realm="sso-broker"' },
    });
  });

  it('turns an unusable header into 401 malformed_api_key', async () => {
    const sut = new ApiKeyAuthGuard(new Reflector(), strategyAnswering({ fail: true }), limiter(), noConsole);
    const ctx = contextFor('adminOnly', { headers: { authorization: 'Basic abc' } });
    expect(await failureOf(sut.canActivate(ctx))).toMatchObject({ status: 401, code: 'malformed_api_key' });
  });

  it('refuses two Authorization headers with 400 ambiguous_credentials before any lookup', async () => {
    const sut = new ApiKeyAuthGuard(
      new Reflector(),
      strategyAnswering({ error: new Error('must not run') }),
      limiter(),
      noConsole,
    );
    const ctx = contextFor('adminOnly', {
      headers: { authorization: 'Bearer a' },
      rawHeaders: ['Authorization', 'Bearer a', 'authorization', 'Bearer b'],
    });
    expect(await failureOf(sut.canActivate(ctx))).toMatchObject({ status: 400, code: 'ambiguous_credentials' });
  });

  it('answers 429 with the wait, before any lookup, to an address over its failed-authentication budget', async () => {
    const sut = new ApiKeyAuthGuard(
      new Reflector(),
      strategyAnswering({ error: new Error('must not run') }),
      limiter(42),
      noConsole,
    );
    const ctx = contextFor('adminOnly', { headers: { authorization: 'Bearer k' } });
    expect(await failureOf(sut.canActivate(ctx))).toMatchObject({ retryAfterSeconds: 42 });
  });

  it("rethrows the strategy's own error", async () => {
    const failure = new Error('from strategy');
    const sut = new ApiKeyAuthGuard(new Reflector(), strategyAnswering({ error: failure }), limiter(), noConsole);
    expect(await failureOf(sut.canActivate(contextFor('adminOnly', { headers: { authorization: 'Bearer k' } })))).toBe(
      failure,
    );
  });
});

describe('ApiKeyAuthGuard under concurrency', () => {
  it('keeps concurrent requests apart (passport augments the strategy object it is given)', async () => {
    const pending: Array<() => void> = [];
    const principals = [admin, portalA, auditor];
    const strategy = {
      authenticate(this: { success(p: Principal): void }, req: { headers: { authorization: string } }) {
        const principal = principals[Number(req.headers.authorization.slice(-1))];
        pending.push(() => this.success(principal));
      },
    } as unknown as ApiKeyStrategy;
    const sut = new ApiKeyAuthGuard(new Reflector(), strategy, limiter(), noConsole);
    const contexts = principals.map((_, i) => contextFor('adminOnly', { headers: { authorization: `Bearer ${i}` } }));
    const results = contexts.map((ctx) => Promise.resolve(sut.canActivate(ctx)));
    for (const answer of pending.reverse()) answer();
    expect(await Promise.all(results)).toEqual([true, true, true]);
    expect(contexts.map((ctx) => ctx.switchToHttp().getRequest().principal)).toEqual(principals);
  });
});
