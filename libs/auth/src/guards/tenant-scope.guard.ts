import type { BrokerRequest } from '@app/common';
import { tenantNotFound } from '@app/tenants';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { principalOf } from '../decorators/current-principal.decorator';
import { authPolicyOf, isPublicRoute } from './route-metadata';

/**
 * Global, after the roles guard. A tenant-bound key naming another tenant in the path gets the
 * same 404 as an unknown tenant: a 403 would confirm that the other tenant exists.
 */
@Injectable()
export class TenantScopeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (isPublicRoute(this.reflector, context)) return true;
    const tenantParam = authPolicyOf(this.reflector, context)?.tenantParam;
    if (tenantParam === undefined) return true;
    const { tenantId } = principalOf(context);
    if (tenantId === null) return true;
    const named = context.switchToHttp().getRequest<BrokerRequest>().params[tenantParam];
    if (typeof named !== 'string' || named.toLowerCase() !== tenantId) throw tenantNotFound();
    return true;
  }
}
