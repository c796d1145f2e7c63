import { BrokerException } from '@app/common';

export enum LinksExceptionCode {
  /** LoginLinksService.issue: the Idempotency-Key header is not 16–255 visible ASCII characters. */
  INVALID_IDEMPOTENCY_KEY = 'invalid_idempotency_key',
  /** IdempotencyStore.begin: the key was already used with a different request body. */
  IDEMPOTENCY_KEY_REUSED = 'idempotency_key_reused',
  /** IdempotencyStore.begin: another request with this key is still being processed. */
  IDEMPOTENCY_IN_PROGRESS = 'idempotency_in_progress',
}

export class LinksException extends BrokerException<LinksExceptionCode> {}
