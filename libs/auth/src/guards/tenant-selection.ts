import {
  ALL_TENANTS,
  issueTenantScope,
  isUuid,
  type BrokerRequest,
  type Principal,
  type TenantSelection,
} from '@app/common';
import { tenantNotFound } from '@app/tenants';
import { AuthException, AuthExceptionCode } from '../auth.exception';
import type { TenantSource } from '../decorators/auth.decorator';

const DEFAULT_NAME = 'tenant_id';

/** The raw value the request names, before any pipe runs; `null` when it is not a string. */
export function namedTenantOf(request: BrokerRequest, source: TenantSource): string | null | undefined {
  const name = source.name ?? DEFAULT_NAME;
  const bag: unknown = source.in === 'path' ? request.params : source.in === 'query' ? request.query : request.body;
  if (bag === null || typeof bag !== 'object' || Array.isArray(bag)) return undefined;
  const value = (bag as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : null;
}

/**
 * A tenant-bound key always acts on its own tenant; naming another one (in any letter case
 * counts as the same one) answers exactly what an unknown tenant answers, 404 tenant_not_found,
 * so no key learns that another tenant exists. A key bound to no tenant acts on the tenant it
 * names, or on every tenant when the route allows naming none.
 */
export function resolveTenantSelection(
  principal: Principal,
  source: TenantSource,
  named: string | null | undefined,
): TenantSelection {
  const name = source.name ?? DEFAULT_NAME;
  if (principal.tenantId !== null) {
    if (named !== undefined && named?.toLowerCase() !== principal.tenantId) throw tenantNotFound();
    return issueTenantScope(principal.tenantId);
  }
  if (named === undefined) {
    if (!source.required) return ALL_TENANTS;
    throw new AuthException(400, AuthExceptionCode.TENANT_ID_REQUIRED, `An admin key must name ${name}.`, {
      errors: [{ field: name, message: `${name} is required for admin keys` }],
    });
  }
  if (named === null || !isUuid(named)) {
    const code = source.in === 'path' ? AuthExceptionCode.INVALID_TENANT_ID : AuthExceptionCode.INVALID_TENANT_FIELD;
    throw new AuthException(400, code, `${name} must be a UUID.`, {
      errors: [{ field: name, message: `${name} must be a UUID` }],
    });
  }
  return issueTenantScope(named);
}
