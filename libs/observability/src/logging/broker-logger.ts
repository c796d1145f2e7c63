import {
  pino,
  stdSerializers,
  stdTimeFunctions,
  type DestinationStream,
  type Logger,
  type LevelWithSilent,
} from 'pino';
import { loggableUrl } from './loggable-url';
import { REDACTED, REDACTED_HEADER_PATHS, redactSecretFields } from './redaction';

export const LOG_LEVELS = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
] as const satisfies readonly LevelWithSilent[];
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The broker's one pino logger: Fastify's request logging, Nest's Logger and the services all write through it. */
export type BrokerPino = Logger;

export interface LoggingOptions {
  level: LogLevel;
  /** Where JSON lines go; stdout when absent. Tests pass a capturing stream. */
  destination?: DestinationStream;
}

/** What a request (Fastify's or Node's) offers the serializer. */
interface LoggableRequest {
  id?: unknown;
  method?: string;
  url?: string;
  headers?: Record<string, unknown>;
  ip?: string;
  socket?: { remoteAddress?: string };
}

/**
 * Only these fields are logged, never the body, the query object or the route params (which hold
 * the launch token on `/l/{opaque}`); the URL itself is logged with launch tokens replaced.
 * Runs only for lines that pass the level filter.
 */
function serializeRequest(req: LoggableRequest) {
  return {
    id: req.id,
    method: req.method,
    url: loggableUrl(req.url ?? ''),
    headers: req.headers,
    remoteAddress: req.ip ?? req.socket?.remoteAddress,
  };
}

function serializeResponse(res: { statusCode?: number }) {
  return { statusCode: res.statusCode };
}

/** JSON lines, ISO timestamps, secret headers and secret-named fields redacted. */
export function createBrokerLogger({ level, destination }: LoggingOptions): BrokerPino {
  const options = {
    level,
    timestamp: stdTimeFunctions.isoTime,
    serializers: { req: serializeRequest, res: serializeResponse, err: stdSerializers.err },
    redact: { paths: REDACTED_HEADER_PATHS, censor: REDACTED },
    formatters: { log: redactSecretFields },
  };
  return destination ? pino(options, destination) : pino(options, pino.destination(1));
}
