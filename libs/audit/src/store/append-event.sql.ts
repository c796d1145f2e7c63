import { companionCtes, companionShape, companionTypes, type CompanionWrite } from './companion-write';

/** Parameters of the event itself ($1..$19); a companion's parameters follow them. */
export const EVENT_PARAM_COUNT = 19;

const ARGUMENTS = Array.from({ length: EVENT_PARAM_COUNT }, (_, i) => `$${i + 1}`).join(', ');

/** audit_append's parameter types, in order ($1 id and $2 tenant id are uuids, the rest text). */
const EVENT_TYPES = ['uuid', 'uuid', ...Array.from({ length: EVENT_PARAM_COUNT - 2 }, () => 'text')];

/** What the statements return per event. */
const RESULT_COLUMNS = `id, seq::text AS seq, (extract(epoch FROM occurred_at) * 1000)::float8 AS occurred_at_ms, hash`;

/**
 * One statement appends one event through `audit_append(...)` (migration
 * 1764520000000-AuditAppendFunction): the function, owned by the migration owner, is the only
 * writer of `audit_chain_heads`. It creates the head of a new chain, locks it (writers of a chain
 * queue on it for this statement plus its commit), computes seq, occurred_at and the hash over
 * exactly `canonicalSerialisation` (metadata arrives as its canonical JSON text), inserts the
 * event and advances the head. Each companion row is written by a data-modifying CTE that reads
 * `appended`, so it exists exactly when the event does (docs/architecture.md#companion-writes).
 *
 * $1 id, $2 tenant id (NULL: the broker-wide chain), $3 action, $4 outcome, $5 actor type,
 * $6 actor id, $7 actor role, $8 ip, $9 user agent, $10 request id, $11 connection id,
 * $12 provider, $13..$15 subject login/user id/external id, $16 link id, $17 token fingerprint,
 * $18 error code, $19 metadata (canonical JSON text).
 */
export function appendEventSql(companions: readonly CompanionWrite[] = [], shape = shapeOf(companions)): string {
  let sql = appendSqlByShape.get(shape);
  if (sql === undefined) appendSqlByShape.set(shape, (sql = buildAppendEventSql(companions)));
  return sql;
}

/** What the statements' text depends on: the companions' shapes in order, '' without any (the memo key of both). */
export function shapeOf(companions: readonly CompanionWrite[]): string {
  if (companions.length === 0) return '';
  return companions.length === 1 ? companionShape(companions[0]) : companions.map(companionShape).join(' + ');
}

/** The statement text per companion shape: built once, not on every append (every link makes one). */
const appendSqlByShape = new Map<string, string>();

function buildAppendEventSql(companions: readonly CompanionWrite[]): string {
  return `
  WITH appended AS (
    SELECT * FROM audit_append(${ARGUMENTS})
  )${companionCtes(companions, EVENT_PARAM_COUNT)}
  SELECT ${RESULT_COLUMNS} FROM appended`;
}

/**
 * Several events of one chain (and their companion rows, of one shape) in one statement: the
 * group commit of AppendBatcher (docs/architecture.md#audit-group-commit). Parameter k is the
 * array of every event's k-th value of appendEventSql, in the order the events are to be chained;
 * `unnest … WITH ORDINALITY` turns them back into rows, and audit_append runs once per row, in that
 * order, under the chain-head lock the first call takes and the statement's commit releases. The
 * rows come back in the same order. Null when a companion has an array-typed column, which an
 * array of arrays cannot carry (unnest would flatten it): such events are appended one by one.
 */
export function appendBatchSql(companions: readonly CompanionWrite[] = [], shape = shapeOf(companions)): string | null {
  let sql = batchSqlByShape.get(shape);
  if (sql === undefined) batchSqlByShape.set(shape, (sql = buildAppendBatchSql(companions)));
  return sql;
}

const batchSqlByShape = new Map<string, string | null>();

function buildAppendBatchSql(companions: readonly CompanionWrite[]): string | null {
  const types = [...EVENT_TYPES, ...companions.flatMap(companionTypes)];
  if (types.some((type) => type.endsWith('[]'))) return null;
  const arrays = types.map((type, i) => `$${i + 1}::${type}[]`).join(', ');
  const events = EVENT_TYPES.map((_, i) => `e${i + 1}`);
  const companionInputs = types.slice(EVENT_PARAM_COUNT).map((_, i) => `c${i + 1}`);
  return `
  WITH input AS (
    SELECT * FROM unnest(${arrays}) WITH ORDINALITY AS i(${[...events, ...companionInputs, 'n'].join(', ')})
  ), appended AS (
    SELECT a.*, i.n FROM (SELECT * FROM input ORDER BY n) i CROSS JOIN LATERAL audit_append(${events.map((e) => `i.${e}`).join(', ')}) a
  )${companionCtes(companions, 0, true)}
  SELECT ${RESULT_COLUMNS} FROM appended ORDER BY n`;
}
