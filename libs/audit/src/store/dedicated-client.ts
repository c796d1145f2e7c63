import type { Pool, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * A connection of the app's pool for one checkpoint round: its cursors need the same connection
 * for the whole round, which TypeORM's query API does not guarantee. The round stays on the app's
 * pool rather than the long-read one: one instance of the cluster runs it at a time (advisory
 * lock), and exports filling the long-read pool must not delay the checkpoints that bound what
 * an undetected rewrite can reach (docs/architecture.md#long-reads).
 */
export function dedicatedClient(dataSource: DataSource): Promise<PoolClient> {
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  return pool.connect();
}
