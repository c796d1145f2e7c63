import type { AuditActorType, AuditOutcome } from '../audit-action';

/** prev_hash of the first event of every chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** Every stored field of an event, as the chain hashes it (snake_case = column names). */
export interface ChainedEvent {
  id: string;
  tenant_id: string | null;
  seq: string;
  occurred_at: Date;
  action: string;
  outcome: AuditOutcome;
  actor_type: AuditActorType;
  actor_id: string | null;
  actor_role: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  connection_id: string | null;
  provider: string | null;
  subject_login: string | null;
  subject_user_id: string | null;
  subject_external_id: string | null;
  link_id: string | null;
  token_fingerprint: string | null;
  error_code: string | null;
  metadata: Record<string, unknown>;
  prev_hash: string;
}

export interface StoredChainedEvent extends ChainedEvent {
  hash: string;
}
