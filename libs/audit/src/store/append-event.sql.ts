import { CANONICAL_VERSION } from '../chain/canonical-event';
import { companionSql, type CompanionWrite } from './companion-write';

/** Parameters of the event itself ($1..$20); a companion's parameters follow them. */
export const EVENT_PARAM_COUNT = 20;

/** JSON text of a text value as JSON.stringify writes a string (PostgreSQL's escape_json agrees), or null. */
const json = (expr: string) => `coalesce(to_json((${expr})::text)::text, 'null')`;

/**
 * One statement appends one event: the chain head is locked `FOR UPDATE` (writers of a chain
 * queue on it for this statement plus its commit), the hash is computed in SQL over exactly
 * `canonicalSerialisation` (a JSON array of the version tag and every field; metadata arrives as
 * its canonical JSON text), the event is inserted and the head advanced. No head row (first event
 * of a chain) → nothing happens and no row comes back; the caller creates the head and retries.
 * The timestamp is read after the lock and never goes backwards within a chain.
 *
 * $1 id, $2 chain id, $3 tenant id, $4 action, $5 outcome, $6 actor type, $7 actor id,
 * $8 actor role, $9 ip, $10 user agent, $11 request id, $12 connection id, $13 provider,
 * $14..$16 subject login/user id/external id, $17 link id, $18 token fingerprint,
 * $19 error code, $20 metadata (canonical JSON text).
 */
export function appendEventSql(companion?: CompanionWrite): string {
  const companionCte = companion ? `, companion AS (${companionSql(companion, EVENT_PARAM_COUNT)})` : '';
  return `
  WITH head AS (
    SELECT h.last_seq + 1 AS seq, h.last_hash::text AS prev_hash,
      GREATEST(date_trunc('milliseconds', clock_timestamp()), h.last_occurred_at) AS occurred_at
    FROM audit_chain_heads h WHERE h.chain_id = $2::uuid FOR UPDATE
  ), ev AS (
    SELECT $1::uuid AS id, $3::uuid AS tenant_id, head.seq, head.occurred_at, $4::text AS action, $5::text AS outcome,
      $6::text AS actor_type, $7::text AS actor_id, $8::text AS actor_role, $9::text AS ip, $10::text AS user_agent,
      $11::text AS request_id, $12::text AS connection_id, $13::text AS provider, $14::text AS subject_login,
      $15::text AS subject_user_id, $16::text AS subject_external_id, $17::text AS link_id,
      $18::text AS token_fingerprint, $19::text AS error_code, $20::text AS metadata, head.prev_hash
    FROM head
  ), hashed AS (
    SELECT ev.*, encode(sha256(convert_to('[' || concat_ws(',',
      ${json(`'${CANONICAL_VERSION}'`)}, ${json('ev.id')}, ${json('ev.tenant_id')}, ${json('ev.seq')},
      ${json(`to_char(ev.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`)},
      ${json('ev.action')}, ${json('ev.outcome')}, ${json('ev.actor_type')}, ${json('ev.actor_id')},
      ${json('ev.actor_role')}, ${json('ev.ip')}, ${json('ev.user_agent')}, ${json('ev.request_id')},
      ${json('ev.connection_id')}, ${json('ev.provider')}, ${json('ev.subject_login')},
      ${json('ev.subject_user_id')}, ${json('ev.subject_external_id')}, ${json('ev.link_id')},
      ${json('ev.token_fingerprint')}, ${json('ev.error_code')}, ${json('ev.metadata')}, ${json('ev.prev_hash')}
    ) || ']', 'UTF8')), 'hex') AS hash
    FROM ev
  ), appended AS (
    INSERT INTO audit_events (
      id, chain_id, tenant_id, seq, occurred_at, action, outcome, actor_type, actor_id, actor_role,
      ip, user_agent, request_id, connection_id, provider, subject_login, subject_user_id,
      subject_external_id, link_id, token_fingerprint, error_code, metadata, prev_hash, hash)
    SELECT id, $2::uuid, tenant_id, seq, occurred_at, action, outcome, actor_type, actor_id, actor_role,
      ip, user_agent, request_id, connection_id, provider, subject_login, subject_user_id,
      subject_external_id, link_id, token_fingerprint, error_code, metadata::jsonb, prev_hash, hash
    FROM hashed
    RETURNING id, seq, occurred_at, hash
  )${companionCte}, advanced AS (
    UPDATE audit_chain_heads h SET last_seq = a.seq, last_hash = a.hash, last_occurred_at = a.occurred_at
    FROM appended a WHERE h.chain_id = $2::uuid
    RETURNING a.id, a.seq::text AS seq, a.occurred_at, a.hash
  )
  SELECT id, seq, occurred_at, hash FROM advanced`;
}

/** The head of a chain's first event; a concurrent creator wins harmlessly. */
export const CREATE_HEAD_SQL = `
  INSERT INTO audit_chain_heads (chain_id, last_seq, last_hash) VALUES ($1::uuid, 0, $2)
  ON CONFLICT (chain_id) DO NOTHING`;
