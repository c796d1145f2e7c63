/**
 * One statement: append the `login_link.issued` event through `audit_append(...)` (the only
 * writer of the chain heads since migration 1764520000000-AuditAppendFunction; it hashes in SQL
 * with libs/audit's canonical scheme) and insert the link record from its result.
 * $1 tenant, $2 event id, $3 key id, $4 ip, $5 request id, $6 connection, $7 provider, $8 login,
 * $9 link id, $10 fingerprint, $11 metadata (canonical JSON text), $12 subject (JSON), $13 link expiry.
 */
export const APPEND_LINK_AND_EVENT_SQL = `
  WITH appended AS (
    SELECT * FROM audit_append($2::uuid, $1::uuid, 'login_link.issued', 'success', 'api_key', $3, 'portal', $4,
      NULL, $5, $6, $7, $8, NULL, NULL, $9, $10, NULL, $11)
  ), link AS (
    INSERT INTO login_links (id, tenant_id, connection_id, provider, delivery, subject, token_fingerprint, expires_at)
    SELECT $9::uuid, $1::uuid, $6::uuid, $7, 'direct', $12::jsonb, $10, $13::timestamptz FROM appended
  )
  SELECT seq FROM appended`;

/** The key's tenant and the named connection with its sealed credential, in one round trip. */
export const RESOLVE_SQL = `
  SELECT k.id AS key_id, k.tenant_id, c.id AS connection_id, c.provider, c.base_url, c.settings,
    s.version, s.aad_version, s.master_key_version, s.wrapped_key, s.ciphertext
  FROM api_keys k
  JOIN tenants t ON t.id = k.tenant_id AND t.status = 'active'
  JOIN connections c ON c.tenant_id = k.tenant_id AND c.name = $2
  JOIN connection_secrets s ON s.connection_id = c.id
  WHERE k.key_hash = $1 AND k.role = 'portal' AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())`;
