import 'reflect-metadata';
import type { Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigurationError, Environment, validateEnvironment } from '@app/config';
import { type BrokerPino, createBrokerLogger, HealthService, LogLevel } from '@app/observability';
import { AppModule } from './app.module';
import { configureApp } from './bootstrap/configure-app';
import { applyHeapGrowth, applyPretenuring, BROKER_NODE_FLAGS, hasSemiSpaceCap } from './bootstrap/heap';
import { createHttpAdapter } from './bootstrap/http-adapter';
import { DatabaseRuntime, databaseConnectionOptions, openDatabase } from './bootstrap/database-runtime';

const PINO_LEVELS = { info: 30, warn: 40, error: 50 } as const;
type BootLevel = keyof typeof PINO_LEVELS;

/** Start-up and shutdown messages, through the broker's logger, and whatever LOG_LEVEL says. */
function bootLogger(logger: BrokerPino | undefined) {
  return (message: string, level: BootLevel = 'info'): void => {
    if (logger?.isLevelEnabled(level)) logger[level]({ context: 'Bootstrap' }, message);
    else
      process.stdout.write(
        `${JSON.stringify({ level: PINO_LEVELS[level], time: Date.now(), context: 'Bootstrap', msg: message })}\n`,
      );
  };
}

async function main(): Promise<void> {
  let env: Environment;
  try {
    env = validateEnvironment(process.env);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  applyHeapGrowth(env.HEAP_GROWING_PERCENT);
  applyPretenuring(env.V8_ALLOCATION_SITE_PRETENURING);
  const startedAt = Date.now();
  // One pino logger for Fastify (request lines), Nest and the services.
  const logger = createBrokerLogger({ level: env.LOG_LEVEL as LogLevel, format: env.LOG_FORMAT });
  const bootLog = bootLogger(logger);
  if (!hasSemiSpaceCap(process.execArgv, process.env.NODE_OPTIONS)) {
    bootLog(
      `started without ${BROKER_NODE_FLAGS.join(' ')}: on Node 24 V8 lets the young generation grow to twice its size on Node 20 and 22, about 100 MB more RSS under load (docs/runtime.md#node-flags)`,
      'warn',
    );
  }
  const database = await openDatabase(env, bootLog);
  let app: NestFastifyApplication | undefined;
  try {
    app = await NestFactory.create<NestFastifyApplication>(
      AppModule.forRoot({ env, database: databaseConnectionOptions(env, database.url), logger }),
      createHttpAdapter(env, logger),
      { bodyParser: false, bufferLogs: true },
    );
    configureApp(app);
    await listenWithGracefulShutdown(app, env, database, bootLog);
  } catch (error) {
    // A start-up refusal (e.g. a master key version missing) must not leave the pool open or an
    // embedded PostgreSQL running without its broker.
    await app?.close().catch(() => undefined);
    await database.stop().catch(() => undefined);
    throw error;
  }
  const base = env.PUBLIC_BASE_URL;
  bootLog(
    `sso-broker ready in ${Date.now() - startedAt} ms: console ${base}/console/, API ${base}/v1, docs ${base}/docs, OpenAPI ${base}/openapi.json ` +
      `(listening on ${env.HOST}:${env.PORT}, ${database.embedded ? 'embedded PostgreSQL' : 'external PostgreSQL'})`,
  );
}

async function listenWithGracefulShutdown(
  app: NestFastifyApplication,
  env: Environment,
  database: DatabaseRuntime,
  bootLog: ReturnType<typeof bootLogger>,
): Promise<void> {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    bootLog(
      `${signal} received: readiness 503, serving ${env.SHUTDOWN_GRACE_MS} ms more, then draining requests, closing the pool, then the database`,
    );
    // Order matters: leave the balancer's rotation, stop accepting and finish in-flight requests
    // while every module still works (upstream pools, audit), then destroy modules and the pool,
    // then the embedded server.
    app.get(HealthService).markDraining();
    await new Promise((resolve) => setTimeout(resolve, env.SHUTDOWN_GRACE_MS));
    await drain(app.getHttpServer());
    await app.close().catch((error: unknown) => bootLog(`shutdown error: ${String(error)}`, 'error'));
    await database.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  await app.listen(env.PORT, env.HOST);
}

const DRAIN_TIMEOUT_MS = 10_000;

function drain(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.closeAllConnections();
      resolve();
    }, DRAIN_TIMEOUT_MS);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

main().catch((error: unknown) => {
  const bootLog = bootLogger(undefined);
  bootLog(`start-up failed: ${error instanceof Error ? error.message : String(error)}`, 'error');
  process.exit(1);
});
