import type { ExportFormat } from '../dto/export-audit-events-query.dto';
import { EVENT_ORDER_SQL } from './audit-event-filter.sql';

/**
 * Exports are produced by PostgreSQL itself (`COPY (SELECT …) TO STDOUT`) and streamed to the
 * client byte for byte: decoding rows one by one in Node capped exports near 55k events/s, while
 * the server formats well over 200k/s. Everything a file needs is therefore expressed in SQL.
 */

/** CSV columns: the event flattened (actor.* and subject.* become columns, metadata is JSON). */
export const CSV_COLUMNS = [
  'id',
  'tenant_id',
  'seq',
  'occurred_at',
  'action',
  'outcome',
  'actor_type',
  'actor_id',
  'actor_role',
  'ip',
  'user_agent',
  'request_id',
  'connection_id',
  'provider',
  'subject_login',
  'subject_user_id',
  'subject_external_id',
  'link_id',
  'token_fingerprint',
  'error_code',
  'metadata',
  'prev_hash',
  'hash',
] as const;

/**
 * Spreadsheets execute cells that start with these characters as formulas (CSV injection,
 * OWASP). Such cells get a leading apostrophe, which spreadsheets show as text; tab and CR are
 * included because some spreadsheets strip them and then read the next character.
 */
export const FORMULA_TRIGGERS = ['=', '+', '-', '@', '\t', '\r'] as const;

const TRIGGERS_SQL = FORMULA_TRIGGERS.map((c) => (c === '\t' ? `E'\\t'` : c === '\r' ? `E'\\r'` : `'${c}'`)).join(', ');

/** The same text as `Date#toISOString()` (occurred_at has millisecond precision). */
const ISO_OCCURRED_AT = `to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const CSV_EXPRESSIONS: Record<(typeof CSV_COLUMNS)[number], string> = {
  id: 'id',
  tenant_id: 'tenant_id',
  seq: 'seq',
  occurred_at: ISO_OCCURRED_AT,
  action: 'action',
  outcome: 'outcome',
  actor_type: 'actor_type',
  actor_id: 'actor_id',
  actor_role: 'actor_role',
  ip: 'ip',
  user_agent: 'user_agent',
  request_id: 'request_id',
  connection_id: 'connection_id',
  provider: 'provider',
  subject_login: 'subject_login',
  subject_user_id: 'subject_user_id',
  subject_external_id: 'subject_external_id',
  link_id: 'link_id',
  token_fingerprint: 'token_fingerprint',
  error_code: 'error_code',
  metadata: 'metadata',
  prev_hash: 'prev_hash',
  hash: 'hash',
};

function defused(expression: string): string {
  const text = `(${expression})::text`;
  return `CASE WHEN left(${text}, 1) IN (${TRIGGERS_SQL}) THEN '''' || ${text} ELSE ${text} END`;
}

/** The event as the list API shows it (toAuditEventDto), one JSON object per line. */
const NDJSON_OBJECT = `json_build_object(
  'id', id, 'tenant_id', tenant_id, 'seq', seq, 'occurred_at', ${ISO_OCCURRED_AT}, 'action', action, 'outcome', outcome,
  'actor', json_build_object('type', actor_type, 'id', actor_id, 'role', actor_role),
  'ip', ip, 'user_agent', user_agent, 'request_id', request_id, 'connection_id', connection_id, 'provider', provider,
  'subject', json_strip_nulls(json_build_object('login', subject_login, 'user_id', subject_user_id, 'external_id', subject_external_id)),
  'link_id', link_id, 'token_fingerprint', token_fingerprint, 'error_code', error_code, 'metadata', metadata,
  'prev_hash', prev_hash, 'hash', hash)`;

/**
 * The COPY statement for a filtered export. `where` must carry no literal values (use the
 * settings placeholders of auditEventFilterSql). NDJSON uses CSV mode with a quote and a
 * delimiter that cannot occur in JSON text (JSON escapes control characters), so each line is the
 * object exactly as PostgreSQL wrote it; text mode would double its backslashes.
 */
export function exportCopySql(format: ExportFormat, where: string): string {
  if (format === 'csv') {
    const columns = CSV_COLUMNS.map((name) => `${defused(CSV_EXPRESSIONS[name])} AS ${name}`).join(', ');
    return `COPY (SELECT ${columns} FROM audit_events ${where} ${EVENT_ORDER_SQL}) TO STDOUT (FORMAT csv, HEADER true)`;
  }
  return `COPY (SELECT ${NDJSON_OBJECT} FROM audit_events ${where} ${EVENT_ORDER_SQL}) TO STDOUT (FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')`;
}

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};
