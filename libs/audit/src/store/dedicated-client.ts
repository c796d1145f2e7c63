import type { Pool, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * A connection of the app's pool for one long read (export, verify): server-side cursors need
 * the same connection for the whole read, which TypeORM's query API does not guarantee.
 */
export function dedicatedClient(dataSource: DataSource): Promise<PoolClient> {
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  return pool.connect();
}
