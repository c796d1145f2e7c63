import type { FastifyReply, FastifyRequest } from 'fastify';
import { LogController } from 'fastify';
import type { Level } from 'pino';
import type { BrokerPino } from './broker-logger';
import { isProbePath } from './probe-paths';

/** Successful probes at debug, client errors at warn, server errors at error, the rest at info. */
export function requestLogLevel(url: string, statusCode: number, error?: Error | null): Level {
  if (error || statusCode >= 500) return 'error';
  if (statusCode >= 400) return 'warn';
  return isProbePath(url) ? 'debug' : 'info';
}

/**
 * Fastify's request logging, through the broker's root logger: one `request completed` line per
 * request once the answer is finished (none for the incoming request), at a level that depends
 * on the outcome. The level is checked first, so a filtered line costs no object, no serializer
 * and no child logger; the request id is in the serialized `req`.
 */
export class RequestLogController extends LogController {
  constructor(private readonly logger: BrokerPino) {
    super();
  }

  override incomingRequest(): void {}

  override routeNotFound(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const level = requestLogLevel(request.url, reply.statusCode, error);
    if (!this.logger.isLevelEnabled(level)) return;
    this.logger[level](
      { req: request, res: reply, responseTime: reply.elapsedTime, ...(error ? { err: error } : {}) },
      'request completed',
    );
  }

  /** Not reached while Nest's error handler is installed; kept quiet below 500 in case. */
  override defaultErrorLog(error: Error, request: FastifyRequest, reply: FastifyReply): void {
    if (reply.statusCode >= 500) this.logger.error({ req: request, err: error }, 'request failed');
  }

  override streamError(error: Error, request: FastifyRequest): void {
    if ((error as { code?: unknown }).code === 'ERR_STREAM_PREMATURE_CLOSE') {
      this.logger.debug({ req: request }, 'client left before the answer was sent');
    } else {
      this.logger.warn({ req: request, err: error }, 'response terminated with an error with headers already sent');
    }
  }
}
