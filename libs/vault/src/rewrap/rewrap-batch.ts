import { EntityManager } from 'typeorm';

export interface StaleSecretRow {
  connection_id: string;
  tenant_id: string;
  version: number;
  master_key_version: string;
  wrapped_key: Buffer;
}

/**
 * The next rows after `afterConnectionId` not sealed under `currentVersion`, locked for this
 * transaction. SKIP LOCKED lets a concurrent rewrap (another instance) take other rows instead
 * of queueing behind this one; the ciphertext column is never read.
 */
export function lockStaleBatch(
  manager: EntityManager,
  currentVersion: string,
  afterConnectionId: string,
  limit: number,
): Promise<StaleSecretRow[]> {
  return manager.query(
    `SELECT connection_id, tenant_id, version, master_key_version, wrapped_key
       FROM connection_secrets
      WHERE master_key_version <> $1 AND connection_id > $2
      ORDER BY connection_id
      LIMIT $3
      FOR UPDATE SKIP LOCKED`,
    [currentVersion, afterConnectionId, limit],
  );
}

/** One statement per batch: only the wrapped key and its version change, never the ciphertext. */
export async function storeRewrapped(
  manager: EntityManager,
  currentVersion: string,
  rows: { connectionId: string; wrappedKey: Buffer }[],
): Promise<void> {
  if (rows.length === 0) return;
  await manager.query(
    `UPDATE connection_secrets AS s
        SET wrapped_key = u.wrapped_key, master_key_version = $1
       FROM unnest($2::uuid[], $3::bytea[]) AS u(connection_id, wrapped_key)
      WHERE s.connection_id = u.connection_id`,
    [currentVersion, rows.map((row) => row.connectionId), rows.map((row) => row.wrappedKey)],
  );
}

export function countCurrent(manager: EntityManager, currentVersion: string): Promise<number> {
  return countWhere(manager, 'master_key_version = $1', currentVersion);
}

export function countStale(manager: EntityManager, currentVersion: string): Promise<number> {
  return countWhere(manager, 'master_key_version <> $1', currentVersion);
}

async function countWhere(manager: EntityManager, condition: string, version: string): Promise<number> {
  const [row] = await manager.query<unknown[]>(`SELECT count(*)::int AS n FROM connection_secrets WHERE ${condition}`, [
    version,
  ]);
  return (row as { n: number }).n;
}
