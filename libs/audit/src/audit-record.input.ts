import type { RequestContext } from '@app/common';
import type { AuditAction, AuditOutcome } from './audit-action';
import type { AuditChain } from './store/audit-chain';

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
  /** The tenant the event belongs to, or BROKER_CHAIN (admin keys, vault rewrap, unknown launch tokens). */
  scope: AuditChain;
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
