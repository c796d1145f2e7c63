import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedPostgresServer } from '../../libs/database/src/embedded';

declare global {
  var __SSO_TEST_PG__: EmbeddedPostgresServer | undefined;
}

/**
 * Tests always talk to a real PostgreSQL: TEST_DATABASE_URL when set (CI points it at the
 * machine's server), otherwise an embedded server started here for the run. Each test file
 * then creates its own database on it (test/utils/test-database.ts), so files run in parallel.
 */
export default async function globalSetup(): Promise<void> {
  // Each test file adds how many answers it validated against the OpenAPI document; the teardown prints the sum.
  process.env.SSO_TEST_OPENAPI_TALLY = join(mkdtempSync(join(tmpdir(), 'sso-broker-openapi-')), 'validated');
  if (process.env.TEST_DATABASE_URL) {
    process.env.SSO_TEST_ADMIN_URL = process.env.TEST_DATABASE_URL;
    return;
  }
  const dataDir = process.env.TEST_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'sso-broker-test-pg-'));
  const server = await EmbeddedPostgresServer.start({ dataDir, database: 'postgres', log: () => undefined });
  globalThis.__SSO_TEST_PG__ = server;
  process.env.SSO_TEST_ADMIN_URL = server.url;
}
