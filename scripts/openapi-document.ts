import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { validateEnvironment } from '@app/config';
import { createBrokerLogger } from '@app/observability';
import { AppModule } from '../apps/broker/src/app.module';
import { buildOpenApiDocument } from '../apps/broker/src/bootstrap/openapi';

/**
 * The document /openapi.json serves, built without a database: Nest's preview mode resolves the
 * module graph (which the document is read from) but instantiates no provider, so nothing
 * connects anywhere. The URL below is never dialled.
 */
export async function openApiDocument(): Promise<OpenAPIObject> {
  const env = validateEnvironment({ NODE_ENV: 'development', LOG_LEVEL: 'silent' });
  const logger = createBrokerLogger({ level: 'silent' });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ env, database: { url: 'postgres://unused@127.0.0.1:1/unused', poolSize: 1 }, logger }),
    new FastifyAdapter(),
    { preview: true, logger: false, abortOnError: false },
  );
  try {
    return buildOpenApiDocument(app);
  } finally {
    await app.close();
  }
}

if (require.main === module) {
  void openApiDocument().then((doc) => process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`));
}
