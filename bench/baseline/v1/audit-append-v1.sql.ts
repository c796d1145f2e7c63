/** JSON text of a value exactly as JSON.stringify writes a string or null (ASCII inputs). */
const j = (expr: string) => `coalesce(to_json((${expr})::text)::text, 'null')`;

/**
 * One statement: lock the tenant's chain head, hash the event in SQL with libs/audit's canonical
 * scheme (sso-broker.audit.v1: a JSON array of every field, metadata as sorted-key JSON), insert
 * the link record and the event, advance the head. $1 tenant, $2 event id, $3 key id, $4 ip,
 * $5 request id, $6 connection, $7 provider, $8 login, $9 link id, $10 fingerprint,
 * $11 metadata (canonical JSON text), $12 subject (JSON), $13 link expiry.
 */
export const APPEND_LINK_AND_EVENT_SQL = `
  WITH head AS (
    SELECT h.last_seq + 1 AS seq, h.last_hash AS prev_hash,
      GREATEST(date_trunc('milliseconds', clock_timestamp()), h.last_occurred_at) AS at
    FROM audit_chain_heads h WHERE h.chain_id = $1::uuid FOR UPDATE
  ), hashed AS (
    SELECT head.*, encode(sha256(convert_to('[' || concat_ws(',',
      '"sso-broker.audit.v1"', ${j('$2')}, ${j('$1')}, ${j('head.seq')},
      ${j(`to_char(head.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`)},
      '"login_link.issued"', '"success"', '"api_key"', ${j('$3')}, '"portal"', ${j('$4')}, 'null', ${j('$5')},
      ${j('$6')}, ${j('$7')}, ${j('$8')}, 'null', 'null', ${j('$9')}, ${j('$10')}, 'null', ${j('$11')}, ${j('head.prev_hash')}
    ) || ']', 'UTF8')), 'hex') AS hash FROM head
  ), link AS (
    INSERT INTO login_links (id, tenant_id, connection_id, provider, delivery, subject, token_fingerprint, expires_at)
    VALUES ($9::uuid, $1::uuid, $6::uuid, $7, 'direct', $12::jsonb, $10, $13::timestamptz)
  ), appended AS (
    INSERT INTO audit_events (
      id, chain_id, tenant_id, seq, occurred_at, action, outcome, actor_type, actor_id, actor_role,
      ip, user_agent, request_id, connection_id, provider, subject_login, link_id, token_fingerprint,
      metadata, prev_hash, hash)
    SELECT $2::uuid, $1::uuid, $1::uuid, hashed.seq, hashed.at, 'login_link.issued', 'success', 'api_key', $3, 'portal',
      $4, NULL, $5, $6, $7, $8, $9, $10, $11::jsonb, hashed.prev_hash, hashed.hash
    FROM hashed
    RETURNING seq, occurred_at, hash
  )
  UPDATE audit_chain_heads h SET last_seq = a.seq, last_hash = a.hash, last_occurred_at = a.occurred_at
  FROM appended a WHERE h.chain_id = $1::uuid`;

/** The key's tenant and the named connection with its sealed credential, in one round trip. */
export const RESOLVE_SQL = `
  SELECT k.id AS key_id, k.tenant_id, c.id AS connection_id, c.provider, c.base_url, c.settings,
    s.version, s.aad_version, s.master_key_version, s.wrapped_key, s.ciphertext
  FROM api_keys k
  JOIN tenants t ON t.id = k.tenant_id AND t.status = 'active'
  JOIN connections c ON c.tenant_id = k.tenant_id AND c.name = $2
  JOIN connection_secrets s ON s.connection_id = c.id
  WHERE k.key_hash = $1 AND k.role = 'portal' AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())`;
