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
  /** POST /v1/console/session: a portal key; only admin and auditor keys sign in to the console. */
  CONSOLE_ROLE_NOT_ALLOWED = 'console_role_not_allowed',
  /** POST /v1/console/session: the key's tenant is suspended. */
  TENANT_SUSPENDED = 'tenant_suspended',
  /** Console cookie: no such session, or it ended (idle, lifetime, signed out, key revoked or expired, tenant suspended). */
  INVALID_CONSOLE_SESSION = 'invalid_console_session',
  /** Console cookie on a state-changing request that another site (or no same-origin page) started. */
  CROSS_SITE_REQUEST = 'cross_site_request',
  /** Console cookie on a state-changing request without the session's X-CSRF-Token. */
  INVALID_CSRF_TOKEN = 'invalid_csrf_token',
  /** GET/DELETE /v1/console/session called with a bearer key instead of a console session. */
  CONSOLE_SESSION_NOT_FOUND = 'console_session_not_found',
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
