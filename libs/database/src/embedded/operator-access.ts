import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import type { ClusterState } from './cluster-layout';
import { EmbeddedPostgresServer } from './embedded-postgres.server';

/** The database the broker creates in its embedded cluster. */
export const EMBEDDED_DATABASE = 'broker';

export interface OperatorDatabase {
  /** Superuser URL of the embedded cluster's broker database. */
  url: string;
  /** Stops the server again if this call started it. */
  close(): Promise<void>;
}

/**
 * For operator tools (`sso-broker admin-key create`, `audit verify`) on the README's default setup:
 * the embedded cluster of DATA_DIR, found through its state file. If its broker is running, the
 * tool connects to that server; if not, it starts the server for the duration of the command (and
 * a broker started meanwhile waits for it, see EmbeddedPostgresServer's owner file).
 */
export async function openEmbeddedForOperator(dataDir: string, log: (line: string) => void): Promise<OperatorDatabase> {
  const stateFile = join(resolve(dataDir), 'embedded-postgres.json');
  if (!existsSync(stateFile)) {
    throw new Error(
      `no embedded database under ${resolve(dataDir)} (start the broker once with this DATA_DIR, or pass --database-url)`,
    );
  }
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as ClusterState;
  const url = `postgres://postgres:${encodeURIComponent(state.password)}@127.0.0.1:${state.port}/${EMBEDDED_DATABASE}`;
  if (await accepts(url)) return { url, close: async () => undefined };
  log(`the embedded PostgreSQL of ${resolve(dataDir)} is not running: starting it for this command`);
  const server = await EmbeddedPostgresServer.start({ dataDir, database: EMBEDDED_DATABASE, log });
  return { url: server.url, close: () => server.stop() };
}

async function accepts(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
