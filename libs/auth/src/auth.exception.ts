import { BrokerException, BrokerExceptionOptions } from '@app/common';

export enum AuthExceptionCode {
  /** ApiKeyAuthGuard: no `Authorization: Bearer` header. */
  MISSING_API_KEY = 'missing_api_key',
  /** ApiKeyAuthGuard/ApiKeyAuthenticator: not a key of the form this broker issues, or sent outside the Authorization header. */
  MALFORMED_API_KEY = 'malformed_api_key',
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
  /** @CurrentPrincipal(): a handler reads the principal but no authentication guard set it (a wiring bug). */
  PRINCIPAL_MISSING = 'internal_error',
}

const CHALLENGE = 'Bearer realm="sso-broker"';

export class AuthException extends BrokerException {
  constructor(
    status: number,
    override readonly code: AuthExceptionCode,
    detail: string,
    options?: BrokerExceptionOptions,
  ) {
    super(status, code, detail, options);
  }
}

/** Every 401 carries the RFC 6750 challenge; `invalid_token` once a key was presented. */
export function unauthorized(code: AuthExceptionCode, detail: string): AuthException {
  const challenge = code === AuthExceptionCode.MISSING_API_KEY ? CHALLENGE : `${CHALLENGE}, error="invalid_token"`;
  return new AuthException(401, code, detail, { headers: { 'WWW-Authenticate': challenge } });
}
