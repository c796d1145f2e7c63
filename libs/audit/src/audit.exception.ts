import { BrokerException } from '@app/common';

/**
 * The audit event could not be written, so the change it describes was rolled back (fail
 * closed, docs/invariants.md#1-no-link-without-a-committed-audit-event). The cause (a database error) is logged, never sent to the client.
 */
export class AuditUnavailableException extends BrokerException {
  constructor(cause?: unknown) {
    super(503, 'audit_unavailable', 'The audit log cannot be written right now, so nothing was done. Retry later.', {
      headers: { 'Retry-After': '5' },
      cause,
    });
  }
}
