import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The runtime role can no longer move a chain head (docs/audit.md#threat-model-a-database-owner).
 * Until now it held UPDATE on `audit_chain_heads`: setting `last_seq` back broke every later
 * append of the tenant (503), and `last_occurred_at = '2099-01-01'` stamped every later event
 * 2099 while verify still said OK.
 *
 * `audit_append(...)` is now the only writer of `audit_chain_heads`. It is owned by the migration
 * owner and runs with the owner's rights (SECURITY DEFINER) under a fixed search_path
 * (pg_catalog first, so no object a caller can create shadows a built-in; then this schema, then
 * pg_temp), and does what the single append statement did: create the head of a new chain, lock
 * it, compute seq, occurred_at and the hash over the canonical serialisation (unchanged, so old
 * chains still verify, and the SQL hash still equals the Node verifier's), insert the event,
 * advance the head. The runtime role keeps SELECT and INSERT on `audit_events`, SELECT on the
 * heads, and EXECUTE on the function; INSERT and UPDATE on the heads are revoked.
 *
 * occurred_at: the database clock (milliseconds), never earlier than the chain's last event, and
 * never later than the clock plus CLOCK_SKEW. A head whose `last_occurred_at` is further ahead
 * (only an owner can write it now) is not trusted: the event gets the clock's time, so a poisoned
 * head cannot stamp later events in the future; verify reports the event that runs ahead.
 */
export const CLOCK_SKEW = '10 seconds';

/** JSON text of a text value as JSON.stringify writes a string (PostgreSQL's escape_json agrees), or null. */
const json = (expr: string) => `coalesce(to_json((${expr})::text)::text, 'null')`;

function appendFunctionSql(schema: string): string {
  return `
  CREATE FUNCTION ${schema}.audit_append(
    p_id uuid, p_tenant_id uuid, p_action text, p_outcome text, p_actor_type text, p_actor_id text,
    p_actor_role text, p_ip text, p_user_agent text, p_request_id text, p_connection_id text, p_provider text,
    p_subject_login text, p_subject_user_id text, p_subject_external_id text, p_link_id text,
    p_token_fingerprint text, p_error_code text, p_metadata text)
  RETURNS TABLE (id uuid, seq bigint, occurred_at timestamptz, hash text)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER
  SET search_path = pg_catalog, ${schema}, pg_temp
  AS $fn$
  DECLARE
    v_chain uuid := coalesce(p_tenant_id, '00000000-0000-0000-0000-000000000000'::uuid);
    v_seq bigint;
    v_prev text;
    v_last timestamptz;
    v_now timestamptz;
    v_at timestamptz;
    v_hash text;
  BEGIN
    SELECT h.last_seq, h.last_hash, h.last_occurred_at INTO v_seq, v_prev, v_last
      FROM ${schema}.audit_chain_heads h WHERE h.chain_id = v_chain FOR UPDATE;
    IF NOT FOUND THEN
      -- The first event of a chain: a concurrent creator wins harmlessly, then both lock the row.
      INSERT INTO ${schema}.audit_chain_heads AS h (chain_id, last_seq, last_hash)
        VALUES (v_chain, 0, repeat('0', 64)) ON CONFLICT (chain_id) DO NOTHING;
      SELECT h.last_seq, h.last_hash, h.last_occurred_at INTO STRICT v_seq, v_prev, v_last
        FROM ${schema}.audit_chain_heads h WHERE h.chain_id = v_chain FOR UPDATE;
    END IF;
    v_seq := v_seq + 1;
    v_now := date_trunc('milliseconds', clock_timestamp());
    v_at := CASE
      WHEN v_last IS NULL OR v_last <= v_now THEN v_now
      WHEN v_last <= v_now + interval '${CLOCK_SKEW}' THEN v_last
      ELSE v_now
    END;
    v_hash := encode(sha256(convert_to('[' || concat_ws(',',
      ${json(`'sso-broker.audit.v1'`)}, ${json('p_id')}, ${json('p_tenant_id')}, ${json('v_seq')},
      ${json(`to_char(v_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`)},
      ${json('p_action')}, ${json('p_outcome')}, ${json('p_actor_type')}, ${json('p_actor_id')},
      ${json('p_actor_role')}, ${json('p_ip')}, ${json('p_user_agent')}, ${json('p_request_id')},
      ${json('p_connection_id')}, ${json('p_provider')}, ${json('p_subject_login')},
      ${json('p_subject_user_id')}, ${json('p_subject_external_id')}, ${json('p_link_id')},
      ${json('p_token_fingerprint')}, ${json('p_error_code')}, ${json('p_metadata')}, ${json('v_prev')}
    ) || ']', 'UTF8')), 'hex');
    INSERT INTO ${schema}.audit_events AS e (
      id, chain_id, tenant_id, seq, occurred_at, action, outcome, actor_type, actor_id, actor_role,
      ip, user_agent, request_id, connection_id, provider, subject_login, subject_user_id,
      subject_external_id, link_id, token_fingerprint, error_code, metadata, prev_hash, hash)
    VALUES (p_id, v_chain, p_tenant_id, v_seq, v_at, p_action, p_outcome, p_actor_type, p_actor_id, p_actor_role,
      p_ip, p_user_agent, p_request_id, p_connection_id, p_provider, p_subject_login, p_subject_user_id,
      p_subject_external_id, p_link_id, p_token_fingerprint, p_error_code, p_metadata::jsonb, v_prev, v_hash);
    UPDATE ${schema}.audit_chain_heads h SET last_seq = v_seq, last_hash = v_hash, last_occurred_at = v_at
      WHERE h.chain_id = v_chain;
    RETURN QUERY SELECT p_id, v_seq, v_at, v_hash;
  END
  $fn$`;
}

const SIGNATURE =
  'uuid, uuid, text, text, text, text, text, text, text, text, text, text, text, text, text, text, text, text, text';

export class AuditAppendFunction1764520000000 implements MigrationInterface {
  name = 'AuditAppendFunction1764520000000';

  async up(q: QueryRunner): Promise<void> {
    const schema = await currentSchema(q);
    await q.query(appendFunctionSql(schema));
    // Functions are executable by PUBLIC unless revoked.
    await q.query(`REVOKE ALL ON FUNCTION ${schema}.audit_append(${SIGNATURE}) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION ${schema}.audit_append(${SIGNATURE}) TO sso_broker_runtime`);
    await q.query(`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON audit_chain_heads FROM sso_broker_runtime`);
    await q.query(`GRANT SELECT ON audit_chain_heads TO sso_broker_runtime`);
  }

  async down(q: QueryRunner): Promise<void> {
    const schema = await currentSchema(q);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON audit_chain_heads TO sso_broker_runtime`);
    await q.query(`DROP FUNCTION ${schema}.audit_append(${SIGNATURE})`);
  }
}

/** The schema the tables were created in, as a quoted identifier (the function names it explicitly). */
async function currentSchema(q: QueryRunner): Promise<string> {
  const [{ schema }] = (await q.query(`SELECT quote_ident(current_schema()) AS schema`)) as Array<{ schema: string }>;
  return schema;
}
