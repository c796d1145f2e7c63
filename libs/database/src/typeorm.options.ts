import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';

export interface DatabaseConnectionOptions {
  url: string;
  poolSize?: number;
  /** Connections for exports and verifications, beside `poolSize` (LongReadPool). */
  longReadPoolSize?: number;
  applicationName?: string;
}

/** Per-connection settings shared by the app's pool and the long-read pool. */
export function connectionSettings(options: DatabaseConnectionOptions) {
  return {
    application_name: options.applicationName ?? 'sso-broker',
    // Fail fast instead of queueing forever when the database is gone.
    connectionTimeoutMillis: 5000,
    // Bounds every statement: a stuck query must not pin a pooled connection for ever.
    statement_timeout: 15_000,
    idle_in_transaction_session_timeout: 30_000,
  };
}

/** The one place TypeORM options are built: used by the app, the migration runner and the CLI. */
export function buildDataSourceOptions(options: DatabaseConnectionOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: options.url,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    // TypeORM's own logger prints failed statements with their parameters (key hashes,
    // ciphertexts) through console, around the redacting logger: errors surface as exceptions instead.
    logging: false,
    extra: { max: options.poolSize ?? 10, ...connectionSettings(options) },
  };
}
