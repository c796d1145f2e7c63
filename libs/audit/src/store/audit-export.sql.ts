import type { ExportFormat } from '../dto/export-audit-events-query.dto';

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
  // Added after the original columns, so that readers that go by position keep working.
  'chain_id',
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
  chain_id: 'chain_id',
};

function defused(expression: string): string {
  const text = `(${expression})::text`;
  return `CASE WHEN left(${text}, 1) IN (${TRIGGERS_SQL}) THEN '''' || ${text} ELSE ${text} END`;
}

/** JSON text of a text value exactly as JSON.stringify writes the string the list API returns. */
const json = (column: string) => `to_json(${column})::text`;
const nullableJson = (column: string) => `COALESCE(to_json(${column})::text, 'null')`;

/**
 * The event as the list API shows it (`JSON.stringify(toAuditEventDto(row))`: the same keys in
 * the same order, no spaces), cut in three CSV fields that Node joins (ndjson-lines.ts): the
 * text up to `"metadata":`, the metadata as jsonb text (its spacing and number forms are
 * PostgreSQL's, so Node re-serialises it exactly as the list does), and the rest. Built by
 * concatenating `to_json(column)::text` pieces: PostgreSQL's JSON string escaping is
 * JSON.stringify's (test/audit-sql-hash.e2e-spec.ts relies on the same fact for the hash), and
 * this costs the server far less than json_build_object.
 */
const NDJSON_FIELDS = [
  `'{"id":"' || id || '","tenant_id":' || COALESCE('"' || tenant_id || '"', 'null') || ',"chain_id":"' || chain_id
    || '","seq":' || seq || ',"occurred_at":"' || ${ISO_OCCURRED_AT} || '","action":' || ${json('action')}
    || ',"outcome":' || ${json('outcome')} || ',"actor":{"type":' || ${json('actor_type')}
    || ',"id":' || ${nullableJson('actor_id')} || ',"role":' || ${nullableJson('actor_role')}
    || '},"ip":' || ${nullableJson('ip')} || ',"user_agent":' || ${nullableJson('user_agent')}
    || ',"request_id":' || ${nullableJson('request_id')} || ',"connection_id":' || ${nullableJson('connection_id')}
    || ',"provider":' || ${nullableJson('provider')} || ',"subject":{' || concat_ws(',',
      '"login":' || ${json('subject_login')}, '"user_id":' || ${json('subject_user_id')},
      '"external_id":' || ${json('subject_external_id')})
    || '},"link_id":' || ${nullableJson('link_id')} || ',"token_fingerprint":' || ${nullableJson('token_fingerprint')}
    || ',"error_code":' || ${nullableJson('error_code')} || ',"metadata":'`,
  `metadata::text`,
  `',"prev_hash":' || ${json('prev_hash')} || ',"hash":' || ${json('hash')} || '}'`,
].join(', ');

/**
 * The COPY statement for a filtered export. `where` must carry no literal values (use the
 * settings placeholders of auditEventFilterSql). NDJSON uses CSV mode with a quote and a
 * delimiter that cannot occur in JSON text (JSON escapes control characters), so each field is
 * exactly what PostgreSQL wrote; text mode would double its backslashes.
 */
export function exportCopySql(format: ExportFormat, where: string, order: string): string {
  if (format === 'csv') {
    const columns = CSV_COLUMNS.map((name) => `${defused(CSV_EXPRESSIONS[name])} AS ${name}`).join(', ');
    return `COPY (SELECT ${columns} FROM audit_events ${where} ${order}) TO STDOUT (FORMAT csv, HEADER true)`;
  }
  return `COPY (SELECT ${NDJSON_FIELDS} FROM audit_events ${where} ${order}) TO STDOUT (FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')`;
}

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};
