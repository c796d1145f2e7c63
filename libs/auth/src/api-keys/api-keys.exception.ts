import { BrokerException } from '@app/common';

export enum ApiKeysExceptionCode {
  /** ApiKeysService.revoke: no key with this id. */
  API_KEY_NOT_FOUND = 'api_key_not_found',
  /** ApiKeysService.create: a portal key without tenant_id. */
  TENANT_ID_REQUIRED = 'tenant_id_required',
  /** ApiKeysService.create: an admin key with tenant_id (admin keys span all tenants). */
  TENANT_ID_NOT_ALLOWED = 'tenant_id_not_allowed',
  /** ApiKeysService.create: expires_at is not in the future. */
  INVALID_EXPIRY = 'invalid_expiry',
  /** ApiKeysService.revoke: revoking it would leave no active admin key. */
  LAST_ADMIN_KEY = 'last_admin_key',
}

export class ApiKeysException extends BrokerException<ApiKeysExceptionCode> {}
