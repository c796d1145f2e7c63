import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './typeorm.options';

/**
 * Applies pending migrations with a short-lived connection (the owner role when
 * DATABASE_MIGRATION_URL is set), before the app's own pool opens. A cluster-wide advisory
 * lock lets several instances start at once: one migrates, the others wait and find nothing to do.
 */
export async function runMigrations(url: string): Promise<string[]> {
  const dataSource = new DataSource({
    ...buildDataSourceOptions({ url, poolSize: 1, applicationName: 'sso-broker-migrate' }),
  });
  await dataSource.initialize();
  try {
    await dataSource.query('SELECT pg_advisory_lock(hashtext($1))', ['sso-broker:migrations']);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await dataSource.query('SELECT pg_advisory_unlock(hashtext($1))', ['sso-broker:migrations']).catch(() => undefined);
    await dataSource.destroy();
  }
}
