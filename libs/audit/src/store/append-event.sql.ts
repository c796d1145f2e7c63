import { companionShape, companionSql, type CompanionWrite } from './companion-write';

/** Parameters of the event itself ($1..$19); a companion's parameters follow them. */
export const EVENT_PARAM_COUNT = 19;

const ARGUMENTS = Array.from({ length: EVENT_PARAM_COUNT }, (_, i) => `$${i + 1}`).join(', ');

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
export function appendEventSql(companion?: CompanionWrite): string {
  const shape = companion === undefined ? '' : companionShape(companion);
  let sql = appendSqlByShape.get(shape);
  if (sql === undefined) appendSqlByShape.set(shape, (sql = buildAppendEventSql(companion)));
  return sql;
}

/** The statement text per companion shape: built once, not on every append (every link makes one). */
const appendSqlByShape = new Map<string, string>();

function buildAppendEventSql(companion?: CompanionWrite): string {
  const companionCte = companion ? `, companion AS (${companionSql(companion, EVENT_PARAM_COUNT)})` : '';
  return `
  WITH appended AS (
    SELECT * FROM audit_append(${ARGUMENTS})
  )${companionCte}
  SELECT id, seq::text AS seq, (extract(epoch FROM occurred_at) * 1000)::float8 AS occurred_at_ms, hash FROM appended`;
}
