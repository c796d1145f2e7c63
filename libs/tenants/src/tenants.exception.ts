import { BrokerException } from '@app/common';

export enum TenantsExceptionCode {
  /** TenantsService.get/update/delete, ConnectionsService, and the tenant-scope guard for a foreign tenant. */
  TENANT_NOT_FOUND = 'tenant_not_found',
  /** TenantsService.create: another tenant already has this slug. */
  TENANT_SLUG_TAKEN = 'tenant_slug_taken',
  /** TenantsService.create: no slug given and none can be derived from the name. */
  TENANT_SLUG_REQUIRED = 'tenant_slug_required',
  /** TenantsService.update: the patch names no field to change. */
  EMPTY_PATCH = 'empty_patch',
  /** LinkTargetResolver: the tenant is suspended and may not issue or redeem links. */
  TENANT_SUSPENDED = 'tenant_suspended',
}

export class TenantsException extends BrokerException<TenantsExceptionCode> {}

export function tenantNotFound(): TenantsException {
  return new TenantsException(404, TenantsExceptionCode.TENANT_NOT_FOUND, 'No tenant with this id exists.');
}

export function tenantSuspended(): TenantsException {
  return new TenantsException(403, TenantsExceptionCode.TENANT_SUSPENDED, 'This tenant is suspended.');
}
