import { BrokerException, Principal } from '@app/common';

/** `undefined` = every tenant (and the broker-wide chain); a string = that tenant only. */
export type AuditTenantScope = string | undefined;

/**
 * A tenant-bound auditor is pinned to its tenant whatever it asks for. Naming another tenant
 * answers 404 tenant_not_found, the same answer as for a tenant that does not exist, so the
 * audit API reveals nothing about other tenants. Admins and global auditors see what they ask.
 */
export function auditScopeOf(principal: Principal, requestedTenantId: string | undefined): AuditTenantScope {
  if (principal.role !== 'admin' && principal.role !== 'auditor') {
    throw new BrokerException(403, 'forbidden_role', 'This key cannot read the audit log.');
  }
  if (principal.tenantId === null) return requestedTenantId;
  if (requestedTenantId !== undefined && requestedTenantId !== principal.tenantId) {
    throw new BrokerException(404, 'tenant_not_found', 'No such tenant.');
  }
  return principal.tenantId;
}
