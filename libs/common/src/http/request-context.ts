import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { TenantSelection } from '../tenancy';

export const API_KEY_ROLES = ['admin', 'portal', 'auditor'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/** Who is calling: set on the request by the API-key authentication guard. */
export interface Principal {
  keyId: string;
  role: ApiKeyRole;
  /** null for keys that span all tenants (admin, global auditor). */
  tenantId: string | null;
}

/** What every audited action needs to know about its request. */
export interface RequestContext {
  requestId: string;
  ip: string | null;
  userAgent: string | null;
  principal: Principal | null;
}

/** A Fastify request, with the caller once the API-key guard has run. */
export type BrokerRequest = FastifyRequest<{ Params: Record<string, string | undefined> }> & {
  principal?: Principal;
  /** Set by the tenant-scope guard on routes whose @Auth() names a tenant source. */
  tenantSelection?: TenantSelection;
};

export function requestContextOf(req: BrokerRequest): RequestContext {
  const userAgent = req.headers['user-agent'];
  return {
    requestId: String(req.id ?? ''),
    ip: req.ip ?? null,
    userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 512) : null,
    principal: req.principal ?? null,
  };
}

/** `@Ctx() ctx: RequestContext` in a controller handler. */
export const Ctx = createParamDecorator((_: unknown, host: ExecutionContext): RequestContext =>
  requestContextOf(httpRequestOf(host)),
);

/** The route template serving `req` (`/v1/tenants/:tenant_id`) for log lines, or the raw path. */
export function routePathOf(req: BrokerRequest): string {
  return req.routeOptions?.url ?? req.url.split('?', 1)[0];
}

/**
 * The request of an HTTP execution context (its argument 0), as `switchToHttp().getRequest()`
 * gives it: Nest's `switchToHttp()` assigns three new closures onto the context on every call,
 * and the guards of a link's request call it about eight times (docs/performance.md#ninth-pass).
 */
export function httpRequestOf<T = BrokerRequest>(context: ExecutionContext): T {
  return context.getArgByIndex<T>(0);
}

/** The reply of an HTTP execution context (its argument 1); see httpRequestOf. */
export function httpReplyOf<T>(context: ExecutionContext): T {
  return context.getArgByIndex<T>(1);
}
