import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { ensureRuntimeLogin, runMigrations } from '@app/database';

export interface TestDatabase {
  name: string;
  /** Owner (superuser on test servers): migrations, tamper tests, raw inspection. */
  ownerUrl: string;
  /** The least-privilege runtime login the broker uses, as in production. */
  appUrl: string;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

const APP_LOGIN = 'sso_broker_app_test';
const APP_PASSWORD = 'sso-broker-app-test-password';

function adminUrl(): string {
  const url = process.env.SSO_TEST_ADMIN_URL ?? process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('no test PostgreSQL: run through jest (global setup) or set TEST_DATABASE_URL');
  return url;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** A fresh, migrated database for one test file, dropped at the end. */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const name = `sso_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const ownerUrl = withDatabase(adminUrl(), name);
  const migrate = options.migrate !== false;
  if (migrate) await clusterWide(() => runMigrations(ownerUrl));
  // The runtime group role exists once the first migration ran (it is cluster-wide).
  const appUrl = migrate ? await clusterWide(() => ensureRuntimeLogin(ownerUrl, APP_LOGIN, APP_PASSWORD)) : ownerUrl;
  const owner = new Client({ connectionString: ownerUrl });
  await owner.connect();
  // A test that restarts PostgreSQL kills this connection; its 'error' event must not crash the worker.
  owner.on('error', () => undefined);
  return {
    name,
    ownerUrl,
    appUrl,
    query: async <T>(sql: string, params?: unknown[]) => (await owner.query(sql, params)).rows as T[],
    drop: async () => {
      await owner.end();
      const client = new Client({ connectionString: adminUrl() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/**
 * Roles are cluster-wide but advisory locks are per database: two test files setting up their
 * databases at once may update the same role row together ("tuple concurrently updated"), which
 * the loser simply retries.
 */
async function clusterWide<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= 5 || !/tuple concurrently (updated|deleted)/.test((error as Error).message)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}
