import { BrokerException } from '@app/common';

export enum AuthExceptionCode {
  /** ApiKeyAuthGuard: no `Authorization: Bearer` header. */
  MISSING_API_KEY = 'missing_api_key',
  /** ApiKeyAuthGuard/ApiKeyAuthenticator: not a key of the form this broker issues, or sent outside the Authorization header. */
  MALFORMED_API_KEY = 'malformed_api_key',
  /** ApiKeyAuthGuard: more than one Authorization header; which one counts would be a guess. */
  AMBIGUOUS_CREDENTIALS = 'ambiguous_credentials',
  /** ApiKeyAuthenticator: well formed but unknown. */
  INVALID_API_KEY = 'invalid_api_key',
  /** ApiKeyAuthenticator: the key was revoked. */
  REVOKED_API_KEY = 'revoked_api_key',
  /** ApiKeyAuthenticator: the key is past its expires_at. */
  EXPIRED_API_KEY = 'expired_api_key',
  /** RolesGuard: the key's role is not allowed on this route. */
  FORBIDDEN_ROLE = 'forbidden_role',
  /** RolesGuard: the route has neither @Public() nor @Auth(): denied until someone declares who may call it. */
  ROUTE_NOT_AUTHORIZED = 'route_not_authorized',
  /** TenantScopeGuard: a key bound to no tenant calls a route that acts on one tenant without naming it. */
  TENANT_ID_REQUIRED = 'tenant_id_required',
  /** TenantScopeGuard: the tenant named in the path is not a UUID (as for any malformed path id). */
  INVALID_TENANT_ID = 'invalid_id',
  /** TenantScopeGuard: the tenant named in the body or query is not a UUID (as for any invalid field). */
  INVALID_TENANT_FIELD = 'validation_failed',
  /** @CurrentPrincipal()/@CurrentTenant(): a handler reads what no guard set (a wiring bug). */
  PRINCIPAL_MISSING = 'internal_error',
}

const CHALLENGE = 'Bearer realm="sso-broker"';

export class AuthException extends BrokerException<AuthExceptionCode> {}

/** Every 401 carries the RFC 6750 challenge; `invalid_token` once a key was presented. */
export function unauthorized(code: AuthExceptionCode, detail: string): AuthException {
  const challenge = code === AuthExceptionCode.MISSING_API_KEY ? CHALLENGE : `${CHALLENGE}, error="invalid_token"`;
  return new AuthException(401, code, detail, { headers: { 'WWW-Authenticate': challenge } });
}
