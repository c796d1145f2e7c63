import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { BrokerPino } from '../logging/broker-logger';
import { lazyChildLoggerFactory } from '../logging/lazy-child-logger';
import { REQUEST_ID_HEADER, requestIdFor } from '../logging/request-id';
import { RequestLogController } from '../logging/request-log.controller';
import type { HttpMetrics } from '../metrics/http-metrics';

/**
 * Fastify server options for logging and request ids: `logger` becomes Fastify's own logger,
 * request lines come from RequestLogController, request ids from `requestIdFor`.
 */
export interface HttpLoggingOptions {
  loggerInstance: FastifyBaseLogger;
  logController: RequestLogController;
  childLoggerFactory: typeof lazyChildLoggerFactory;
  genReqId: (req: { headers: IncomingHttpHeaders }) => string;
  requestIdHeader: false;
}

export function httpLoggingOptions(logger: BrokerPino): HttpLoggingOptions {
  return {
    loggerInstance: logger,
    logController: new RequestLogController(logger),
    childLoggerFactory: lazyChildLoggerFactory,
    genReqId: requestIdFor,
    requestIdHeader: false,
  };
}

/**
 * The request id answered on every response (set first, so that errors and 404s carry it too)
 * and the HTTP metrics, counted once each response is finished.
 */
export function installHttpObservability(fastify: FastifyInstance, metrics: HttpMetrics): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.record(request, reply);
    done();
  });
}
