import type { StoredAuditEvent } from '../store/audit.store';
import type { AuditEventDto, AuditSubjectDto } from '../dto/audit-event.dto';

/** The public shape of a stored row (docs/api.md#audit-events). */
export function toAuditEventDto(row: StoredAuditEvent): AuditEventDto {
  const subject: AuditSubjectDto = {};
  if (row.subject_login !== null) subject.login = row.subject_login;
  if (row.subject_user_id !== null) subject.user_id = row.subject_user_id;
  if (row.subject_external_id !== null) subject.external_id = row.subject_external_id;
  return {
    id: row.id,
    tenant_id: row.tenant_id,
    chain_id: row.chain_id,
    seq: Number(row.seq),
    occurred_at: row.occurred_at.toISOString(),
    action: row.action,
    outcome: row.outcome,
    actor: { type: row.actor_type, id: row.actor_id, role: row.actor_role },
    ip: row.ip,
    user_agent: row.user_agent,
    request_id: row.request_id,
    connection_id: row.connection_id,
    provider: row.provider,
    subject,
    link_id: row.link_id,
    token_fingerprint: row.token_fingerprint,
    error_code: row.error_code,
    metadata: row.metadata,
    prev_hash: row.prev_hash,
    hash: row.hash,
  };
}
