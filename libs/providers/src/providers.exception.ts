import { BrokerException } from '@app/common';

export enum ProviderExceptionCode {
  /** ProviderRegistry.get: the connection names a provider kind this broker does not implement. */
  UNKNOWN_PROVIDER = 'unknown_provider',
  /** parseSettings: the connection settings fail the provider's settings schema. */
  INVALID_SETTINGS = 'invalid_settings',
  /** parseCredentials: the credential has the wrong shape or field values for the provider. */
  INVALID_CREDENTIALS = 'invalid_credentials',
  /** prepare: not exactly one user identifier, or one the provider cannot use. */
  INVALID_USER_IDENTIFIER = 'invalid_user_identifier',
  /** prepare: target_uri is not in the connection's allow-list or the provider takes none. */
  TARGET_URI_NOT_ALLOWED = 'target_uri_not_allowed',
  /** prepare: session_lifetime is out of bounds or the provider does not support it. */
  INVALID_SESSION_LIFETIME = 'invalid_session_lifetime',
  /** mint: the upstream says the user does not exist (404). */
  UPSTREAM_USER_NOT_FOUND = 'upstream_user_not_found',
  /** mint: the upstream refuses this user to the configured credential (403). */
  UPSTREAM_FORBIDDEN = 'upstream_forbidden',
  /** mint/check: the upstream rejected the configured credential (token endpoint 400/401, bearer 401, Flussonic WrongApikey). */
  UPSTREAM_UNAUTHORIZED = 'upstream_unauthorized',
  /** mint: the upstream rejected the request as malformed (a 4xx other than 401/403/404/429). */
  UPSTREAM_BAD_REQUEST = 'upstream_bad_request',
  /** mint/check: the upstream throttles (429); Retry-After is passed on. */
  UPSTREAM_RATE_LIMITED = 'upstream_rate_limited',
  /** UpstreamHttpClient and mappers: 5xx, unparseable or oversized answer. Counts against the breaker. */
  UPSTREAM_ERROR = 'upstream_error',
  /** UpstreamHttpClient: no complete answer within the total deadline. Counts against the breaker. */
  UPSTREAM_TIMEOUT = 'upstream_timeout',
  /** UpstreamHttpClient: connection refused, reset, TLS failure, DNS failure or connect timeout, all alike. Counts against the breaker. */
  UPSTREAM_UNREACHABLE = 'upstream_unreachable',
  /**
   * The egress policy (docs/architecture.md#egress-policy) refuses the upstream: at create/patch
   * (400) when base_url's host resolves to a refused address; at call time (502) when the address
   * resolved at connect time is refused, or the base URL is http where only https is allowed.
   */
  UPSTREAM_ADDRESS_NOT_ALLOWED = 'upstream_address_not_allowed',
  /** UpstreamHttpClient: the connection's circuit breaker is open; Retry-After is the remaining cooldown. */
  UPSTREAM_CIRCUIT_OPEN = 'upstream_circuit_open',
}

/** Codes that say the upstream is unhealthy (as opposed to answering a coherent refusal). */
export const UPSTREAM_FAULT_CODES: ReadonlySet<string> = new Set([
  ProviderExceptionCode.UPSTREAM_ERROR,
  ProviderExceptionCode.UPSTREAM_TIMEOUT,
  ProviderExceptionCode.UPSTREAM_UNREACHABLE,
]);

export class ProviderException extends BrokerException<ProviderExceptionCode> {}
