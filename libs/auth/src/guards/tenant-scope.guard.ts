import { httpRequestOf } from '@app/common';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { principalOf } from '../decorators/current-principal.decorator';
import { authPolicyOf, isPublicRoute } from './route-metadata';
import { namedTenantOf, resolveTenantSelection } from './tenant-selection';

/**
 * Global, after the roles guard: the one place a request's tenant is decided, the same way for
 * every route, whether the route names it in its path, body or query (docs/architecture.md#tenant-scope).
 */
@Injectable()
export class TenantScopeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (isPublicRoute(this.reflector, context)) return true;
    const source = authPolicyOf(this.reflector, context)?.tenant;
    if (source === undefined) return true;
    const request = httpRequestOf(context);
    request.tenantSelection = resolveTenantSelection(principalOf(context), source, namedTenantOf(request, source));
    return true;
  }
}
