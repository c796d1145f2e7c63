/**
 * The baseline's two statements. Both are sent as named statements (prepared once per
 * connection), see baseline-server.ts.
 *
 * RESOLVE_AND_CHARGE_SQL, one round trip for what the broker does in its guards and resolver:
 * the portal key (by its SHA-256, with its tenant active), the rate-limit charge of the key's and
 * the tenant's buckets in `rate_limit_buckets` (the broker's fixed-window upsert, key before
 * tenant, the tenant's charged only if the key's is within budget, as PostgresThrottlerStorage
 * does; the table is UNLOGGED, so this write adds no WAL flush), and the named connection with its
 * sealed credential. No row: unknown, revoked or expired key, or suspended tenant. A row with a
 * NULL connection_id: no such connection.
 * $1 key hash, $2 connection name, $3 window ms, $4 key limit, $5 default tenant limit.
 */
export const RESOLVE_AND_CHARGE_SQL = `
  WITH k AS (
    SELECT k.id, k.tenant_id, coalesce(t.rate_limit_per_minute, $5::int) AS tenant_limit
    FROM api_keys k JOIN tenants t ON t.id = k.tenant_id AND t.status = 'active'
    WHERE k.key_hash = $1 AND k.role = 'portal' AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
  ), key_charge AS (
    INSERT INTO rate_limit_buckets AS b (key, hits, window_ends_at)
    SELECT 'baseline:key:' || k.id, 1, now() + $3::int * interval '1 millisecond' FROM k
    ON CONFLICT (key) DO UPDATE SET
      hits = CASE WHEN b.window_ends_at <= now() THEN 1 ELSE b.hits + 1 END,
      window_ends_at = CASE WHEN b.window_ends_at <= now() THEN excluded.window_ends_at ELSE b.window_ends_at END
    RETURNING hits
  ), tenant_charge AS (
    INSERT INTO rate_limit_buckets AS b (key, hits, window_ends_at)
    SELECT 'baseline:tenant:' || k.tenant_id, 1, now() + $3::int * interval '1 millisecond' FROM k
    WHERE (SELECT hits FROM key_charge) <= $4::int
    ON CONFLICT (key) DO UPDATE SET
      hits = CASE WHEN b.window_ends_at <= now() THEN 1 ELSE b.hits + 1 END,
      window_ends_at = CASE WHEN b.window_ends_at <= now() THEN excluded.window_ends_at ELSE b.window_ends_at END
    RETURNING hits
  )
  SELECT k.id AS key_id, k.tenant_id,
    (SELECT hits FROM key_charge) > $4::int OR (SELECT hits FROM tenant_charge) > k.tenant_limit AS over_budget,
    c.id AS connection_id, c.provider, c.base_url, c.settings,
    s.version, s.aad_version, s.master_key_version, s.wrapped_key, s.ciphertext
  FROM k
  LEFT JOIN connections c ON c.tenant_id = k.tenant_id AND c.name = $2
  LEFT JOIN connection_secrets s ON s.connection_id = c.id`;

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

/**
 * APPEND_LINK_AND_EVENT_SQL for several links of one tenant in one statement, as the broker's
 * group commit sends them (libs/audit/src/store/append-event.sql.ts, appendBatchSql): parameter k
 * is the array of every link's $k, audit_append runs once per row in order, and the link records
 * are inserted from the appended rows matched by ordinality.
 */
export const APPEND_LINKS_AND_EVENTS_SQL = `
  WITH input AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
      $9::text[], $10::text[], $11::text[], $12::text[], $13::timestamptz[])
      WITH ORDINALITY AS i(tenant_id, event_id, key_id, ip, request_id, connection_id, provider, login, link_id,
        fingerprint, metadata, subject, expires_at, n)
  ), appended AS (
    SELECT a.*, i.n FROM (SELECT * FROM input ORDER BY n) i CROSS JOIN LATERAL audit_append(i.event_id, i.tenant_id,
      'login_link.issued', 'success', 'api_key', i.key_id, 'portal', i.ip, NULL, i.request_id, i.connection_id, i.provider,
      i.login, NULL, NULL, i.link_id, i.fingerprint, NULL, i.metadata) a
  ), link AS (
    INSERT INTO login_links (id, tenant_id, connection_id, provider, delivery, subject, token_fingerprint, expires_at)
    SELECT i.link_id::uuid, i.tenant_id, i.connection_id::uuid, i.provider, 'direct', i.subject::jsonb, i.fingerprint,
      i.expires_at FROM appended a JOIN input i ON i.n = a.n
  )
  SELECT seq FROM appended ORDER BY n`;
