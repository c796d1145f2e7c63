import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLoginLinkFastPath } from '@app/links';
import { BrokerLogger, HttpMetrics, installHttpObservability } from '@app/observability';
import { registerJsonBodyParser } from '../http/json-body';
import { registerCreatedLocation } from '../http/location';
import { ProblemDetailsFilter } from '../http/problem-details.filter';
import { refuseNulInUrl } from '../http/url-screen';
import { createValidationPipe } from '../http/validation.pipe';
import { registerConsole } from './console';
import { setupOpenApi } from './openapi';

/**
 * Everything main.ts and the e2e harness both need, so tests exercise the real stack. Call it on
 * an app built on createHttpAdapter, before `listen`/`init`.
 */
export function configureApp(app: NestFastifyApplication): void {
  // Nest's own messages and every `new Logger(...)` go to the broker's pino logger (at
  // LOG_LEVEL=silent, nowhere), not to Nest's console logger.
  app.useLogger(app.get(BrokerLogger));
  const fastify = app.getHttpAdapter().getInstance();
  // onRequest hooks run in this order: X-Request-Id on the answer first, so that every error carries it.
  installHttpObservability(fastify, app.get(HttpMetrics));
  refuseNulInUrl(fastify);
  registerJsonBodyParser(fastify);
  registerCreatedLocation(fastify);
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalPipes(createValidationPipe([createLoginLinkFastPath]));
  setupOpenApi(app);
  registerConsole(fastify);
}
