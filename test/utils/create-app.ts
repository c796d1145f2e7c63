import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { validateEnvironment } from '@app/config';
import { freePort } from '@app/database';
import { createBrokerLogger, type LogLevel } from '@app/observability';
import type { DestinationStream } from 'pino';
import { AppModule } from '../../apps/broker/src/app.module';
import { configureApp } from '../../apps/broker/src/bootstrap/configure-app';
import { databaseConnectionOptions } from '../../apps/broker/src/bootstrap/database-runtime';
import { createHttpAdapter } from '../../apps/broker/src/bootstrap/http-adapter';
import { checkAnswersAgainstDocument } from './openapi-conformance';
import { recordRoutes } from './route-table';
import { createTestDatabase, TestDatabase } from './test-database';

export interface TestApp {
  app: NestFastifyApplication;
  /** Base URL of the listening broker, e.g. http://127.0.0.1:41234 */
  url: string;
  db: TestDatabase;
  /** The bootstrap admin key (BROKER_BOOTSTRAP_ADMIN_KEY) of this app's database. */
  adminKey: string;
  env: Record<string, string>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Share a database between several broker instances (multi-instance tests). */
  db?: TestDatabase;
  env?: Record<string, string>;
  /** Where the broker's log lines go (LOG_LEVEL still applies); none by default. */
  logDestination?: DestinationStream;
}

export function newMasterKeyEntry(version = 'v1'): string {
  return `${version}:${randomBytes(32).toString('base64')}`;
}

export function newAdminKeyText(): string {
  return `sbk_a_${randomBytes(32).toString('base64url')}`;
}

/**
 * Boots the real AppModule (same configureApp as main.ts) on a real port against a real,
 * migrated PostgreSQL database, connecting as the least-privilege runtime role.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const ownsDb = !options.db;
  const db = options.db ?? (await createTestDatabase());
  const port = await freePort();
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'sso-broker-data-')),
    DATABASE_URL: db.appUrl,
    BROKER_MASTER_KEYS: newMasterKeyEntry(),
    BROKER_BOOTSTRAP_ADMIN_KEY: newAdminKeyText(),
    // Checkpoint rounds run when a test calls AuditCheckpointer.run(), not on a timer.
    AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0',
    ...options.env,
  };
  // Production refuses to start without a signing key; elsewhere one is generated into DATA_DIR.
  if (env.NODE_ENV === 'production') env.BROKER_AUDIT_SIGNING_KEYS ??= newMasterKeyEntry();
  const validated = validateEnvironment(env);
  const logger = createBrokerLogger({ level: validated.LOG_LEVEL as LogLevel, destination: options.logDestination });
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot({ env: validated, database: databaseConnectionOptions(validated, db.appUrl), logger })],
  }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(validated, logger), {
    bodyParser: false,
  });
  recordRoutes(app);
  checkAnswersAgainstDocument(app);
  configureApp(app);
  try {
    await app.listen(port, '127.0.0.1');
  } catch (error) {
    // A start-up refusal (e.g. a missing master key version) happens after some modules
    // started timers and the pool: close them, or they fire after this test file has ended.
    await app.close().catch(() => undefined);
    if (ownsDb) await db.drop();
    throw error;
  }
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    db,
    adminKey: env.BROKER_BOOTSTRAP_ADMIN_KEY,
    env,
    close: async () => {
      await app.close();
      if (ownsDb) await db.drop();
    },
  };
}
