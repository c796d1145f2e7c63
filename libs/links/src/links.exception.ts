import { BrokerException } from '@app/common';

export enum LinksExceptionCode {
  /** LoginLinksService.issue: the Idempotency-Key header is not 16–255 visible ASCII characters. */
  INVALID_IDEMPOTENCY_KEY = 'invalid_idempotency_key',
  /** IdempotencyStore.begin: the key was already used with a different request body. */
  IDEMPOTENCY_KEY_REUSED = 'idempotency_key_reused',
  /** IdempotencyStore.begin: another request with this key is still being processed. */
  IDEMPOTENCY_IN_PROGRESS = 'idempotency_in_progress',
  /** IssuancePolicyCheck: the connection's policy (subjects allow/deny) refuses this user. */
  SUBJECT_NOT_ALLOWED = 'subject_not_allowed',
  /** IssuancePolicyCheck: the connection's policy requires `reason` and the request has none. */
  REASON_REQUIRED = 'reason_required',
  /** IssuancePolicyCheck: max_links_per_subject_per_hour is spent for this user on this connection. */
  SUBJECT_RATE_LIMITED = 'subject_rate_limited',
  /** LoginLinksService: expires_in is above the tenant's max_launch_expires_in. */
  LAUNCH_EXPIRY_TOO_LONG = 'launch_expiry_too_long',
  /** LoginLinkStatusService: no link with this id in this tenant. */
  LOGIN_LINK_NOT_FOUND = 'login_link_not_found',
  /** LoginLinkStatusService.revoke: the link was redeemed, has expired, or is a direct link. */
  LOGIN_LINK_NOT_REVOCABLE = 'login_link_not_revocable',
}

export class LinksException extends BrokerException<LinksExceptionCode> {}
