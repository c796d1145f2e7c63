import { Transform } from 'node:stream';
import type { StoredChainedEvent } from '../chain/chained-event';
import type { AuditEventDto } from '../dto/audit-event.dto';
import type { ExportFormat } from '../dto/export-audit-events-query.dto';
import { toAuditEventDto } from '../query/audit-event.mapper';
import { csvLine } from './csv';

/** CSV columns: the event flattened (actor.* and subject.* become columns, metadata is JSON). */
export const CSV_COLUMNS = [
  'id', 'tenant_id', 'seq', 'occurred_at', 'action', 'outcome', 'actor_type', 'actor_id', 'actor_role',
  'ip', 'user_agent', 'request_id', 'connection_id', 'provider', 'subject_login', 'subject_user_id',
  'subject_external_id', 'link_id', 'token_fingerprint', 'error_code', 'metadata', 'prev_hash', 'hash',
] as const;

function csvRow(event: AuditEventDto): string {
  return csvLine([
    event.id, event.tenant_id, event.seq, event.occurred_at, event.action, event.outcome,
    event.actor.type, event.actor.id, event.actor.role, event.ip, event.user_agent, event.request_id,
    event.connection_id, event.provider, event.subject.login ?? null, event.subject.user_id ?? null,
    event.subject.external_id ?? null, event.link_id, event.token_fingerprint, event.error_code,
    JSON.stringify(event.metadata), event.prev_hash, event.hash,
  ]);
}

/** Rows in (object mode), text out; backpressure flows through as with any Transform. */
export function exportFormatter(format: ExportFormat): Transform {
  let headerSent = format !== 'csv';
  return new Transform({
    writableObjectMode: true,
    transform(row: StoredChainedEvent, _encoding, done) {
      const event = toAuditEventDto(row);
      let text = format === 'csv' ? csvRow(event) : `${JSON.stringify(event)}\n`;
      if (!headerSent) {
        text = csvLine([...CSV_COLUMNS]) + text;
        headerSent = true;
      }
      done(null, text);
    },
    flush(done) {
      done(null, headerSent ? undefined : csvLine([...CSV_COLUMNS]));
    },
  });
}

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};
