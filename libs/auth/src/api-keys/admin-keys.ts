import type { EntityManager } from 'typeorm';

/**
 * Serialises every change to the set of admin keys (bootstrap, revocation) across all broker
 * instances, for the rest of the caller's transaction. One lock for both keeps the rule
 * "there is always an active admin key" free of races and of row-lock deadlocks.
 */
export async function lockAdminKeys(manager: EntityManager): Promise<void> {
  await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['sso-broker:admin-keys']);
}

export async function countActiveAdminKeys(manager: EntityManager, exceptId?: string): Promise<number> {
  const rows: Array<{ count: string }> = await manager.query(
    `SELECT count(*) AS count FROM api_keys
      WHERE role = 'admin' AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
        AND ($1::uuid IS NULL OR id <> $1::uuid)`,
    [exceptId ?? null],
  );
  return Number(rows[0].count);
}
