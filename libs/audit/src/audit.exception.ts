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

/**
 * Every connection for exports and verifications stayed in use through the wait
 * (docs/architecture.md#long-reads): nothing was read; retry when one is likely free.
 */
export class AuditReadsBusyException extends BrokerException {
  constructor(cause?: unknown) {
    super(
      503,
      'audit_reads_busy',
      'Every connection for audit exports and verifications is in use; nothing was read. Retry later.',
      { headers: { 'Retry-After': '5' }, cause },
    );
  }
}
