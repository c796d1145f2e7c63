import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgresServer, ensureRuntimeLogin, runMigrations } from '@app/database';

export interface BenchDatabase {
  ownerUrl: string;
  appUrl: string;
  close(): Promise<void>;
}

/**
 * A fresh, migrated database: on BENCH_DATABASE_URL / TEST_DATABASE_URL (a superuser URL of a
 * real server) when set, otherwise on an embedded PostgreSQL started for the run.
 */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  let server: EmbeddedPostgresServer | undefined;
  let adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    server = await EmbeddedPostgresServer.start({
      dataDir: mkdtempSync(join(tmpdir(), 'sso-bench-pg-')),
      database: 'postgres',
      log: () => undefined,
    });
    adminUrl = server.url;
  }
  const name = `sso_bench_${randomBytes(4).toString('hex')}`;
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const owner = new URL(adminUrl);
  owner.pathname = `/${name}`;
  const ownerUrl = owner.toString();
  await runMigrations(ownerUrl);
  const appUrl = await ensureRuntimeLogin(ownerUrl, 'sso_broker_bench', 'sso-broker-bench-password');
  return {
    ownerUrl,
    appUrl,
    close: async () => {
      await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      await server?.stop();
    },
  };
}

export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
