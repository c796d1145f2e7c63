import {
  companionBatchSql,
  companionShape,
  companionSql,
  companionTypes,
  type CompanionWrite,
} from './companion-write';

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
 * event and advances the head. A companion row is written by a data-modifying CTE that reads
 * `appended`, so it exists exactly when the event does (docs/architecture.md#companion-writes).
 *
 * $1 id, $2 tenant id (NULL: the broker-wide chain), $3 action, $4 outcome, $5 actor type,
 * $6 actor id, $7 actor role, $8 ip, $9 user agent, $10 request id, $11 connection id,
 * $12 provider, $13..$15 subject login/user id/external id, $16 link id, $17 token fingerprint,
 * $18 error code, $19 metadata (canonical JSON text).
 */
export function appendEventSql(companion?: CompanionWrite, shape = shapeOf(companion)): string {
  let sql = appendSqlByShape.get(shape);
  if (sql === undefined) appendSqlByShape.set(shape, (sql = buildAppendEventSql(companion)));
  return sql;
}

/** What the statements' text depends on: the companion's shape, '' without one (the memo key of both). */
export function shapeOf(companion?: CompanionWrite): string {
  return companion === undefined ? '' : companionShape(companion);
}

/** The statement text per companion shape: built once, not on every append (every link makes one). */
const appendSqlByShape = new Map<string, string>();

function buildAppendEventSql(companion?: CompanionWrite): string {
  const companionCte = companion ? `, companion AS (${companionSql(companion, EVENT_PARAM_COUNT)})` : '';
  return `
  WITH appended AS (
    SELECT * FROM audit_append(${ARGUMENTS})
  )${companionCte}
  SELECT ${RESULT_COLUMNS} FROM appended`;
}

/**
 * Several events of one chain (and their companion rows, all of one shape) in one statement: the
 * group commit of AppendBatcher (docs/architecture.md#audit-group-commit). Parameter k is the
 * array of every event's k-th value of appendEventSql, in the order the events are to be chained;
 * `unnest … WITH ORDINALITY` turns them back into rows, and audit_append runs once per row, in that
 * order, under the chain-head lock the first call takes and the statement's commit releases. The
 * rows come back in the same order. Null when the companion has an array-typed column, which an
 * array of arrays cannot carry (unnest would flatten it): such events are appended one by one.
 */
export function appendBatchSql(companion?: CompanionWrite, shape = shapeOf(companion)): string | null {
  let sql = batchSqlByShape.get(shape);
  if (sql === undefined) batchSqlByShape.set(shape, (sql = buildAppendBatchSql(companion)));
  return sql;
}

const batchSqlByShape = new Map<string, string | null>();

function buildAppendBatchSql(companion?: CompanionWrite): string | null {
  const types = [...EVENT_TYPES, ...(companion ? companionTypes(companion) : [])];
  if (types.some((type) => type.endsWith('[]'))) return null;
  const arrays = types.map((type, i) => `$${i + 1}::${type}[]`).join(', ');
  const events = EVENT_TYPES.map((_, i) => `e${i + 1}`);
  const companions = types.slice(EVENT_PARAM_COUNT).map((_, i) => `c${i + 1}`);
  const companionCte = companion ? `, companion AS (${companionBatchSql(companion)})` : '';
  return `
  WITH input AS (
    SELECT * FROM unnest(${arrays}) WITH ORDINALITY AS i(${[...events, ...companions, 'n'].join(', ')})
  ), appended AS (
    SELECT a.*, i.n FROM (SELECT * FROM input ORDER BY n) i CROSS JOIN LATERAL audit_append(${events.map((e) => `i.${e}`).join(', ')}) a
  )${companionCte}
  SELECT ${RESULT_COLUMNS} FROM appended ORDER BY n`;
}
