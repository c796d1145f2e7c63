import type { RequestContext } from '@app/common';
import type { AuditAction, AuditOutcome } from './audit-action';

/** The upstream user a link was for: exactly the identifier the portal named. */
export interface AuditSubject {
  login?: string;
  user_id?: string;
  external_id?: string;
}

/** What a module hands to `AuditService.record`. Never put a secret or an upstream token here. */
export interface AuditRecordInput {
  action: AuditAction;
  outcome: AuditOutcome;
  /** null = the broker-wide chain (admin keys, vault rewrap). */
  tenantId: string | null;
  ctx: RequestContext;
  connectionId?: string | null;
  provider?: string | null;
  subject?: AuditSubject | null;
  linkId?: string | null;
  /** `AuditService.fingerprint(token)`, never the token. */
  tokenFingerprint?: string | null;
  errorCode?: string | null;
  metadata?: Record<string, unknown> | null;
}

export interface RecordedAuditEvent {
  id: string;
  tenantId: string | null;
  seq: string;
  occurredAt: Date;
  hash: string;
}
