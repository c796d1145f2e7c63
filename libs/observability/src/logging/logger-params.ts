import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { type DestinationStream, type Level, type LevelWithSilent, stdTimeFunctions } from 'pino';
import type { Options } from 'pino-http';
import { loggableUrl } from './loggable-url';
import { isProbePath } from './probe-paths';
import { REDACTED, REDACTED_HEADER_PATHS, redactSecretFields } from './redaction';
import { assignRequestId } from './request-id';

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

export interface LoggingOptions {
  level: LogLevel;
  /** Where JSON lines go; stdout when absent. Tests pass a capturing stream. */
  destination?: DestinationStream;
}

interface SerializedRequest {
  id: unknown;
  method: string;
  url: string;
  headers: Record<string, unknown>;
  remoteAddress?: string;
}

// The standard serializer also copies `query` and route `params`, which hold the launch token
// on `/l/{opaque}`; only these fields are logged, and never the body.
function serializeRequest(req: SerializedRequest): SerializedRequest {
  return {
    id: req.id,
    method: req.method,
    url: loggableUrl(req.url),
    headers: req.headers,
    remoteAddress: req.remoteAddress,
  };
}

function requestLogLevel(req: IncomingMessage, res: ServerResponse, err?: Error): Level {
  if (err || res.statusCode >= 500) return 'error';
  if (res.statusCode >= 400) return 'warn';
  const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url;
  return isProbePath(url) ? 'debug' : 'info';
}

/** nestjs-pino parameters: JSON lines, request ids, secrets redacted, probes quiet. */
export function loggerParams({ level, destination }: LoggingOptions): Params {
  const options: Options = {
    level,
    timestamp: stdTimeFunctions.isoTime,
    genReqId: assignRequestId,
    customLogLevel: requestLogLevel,
    serializers: { req: serializeRequest },
    redact: { paths: REDACTED_HEADER_PATHS, censor: REDACTED },
    formatters: { log: redactSecretFields },
  };
  return { pinoHttp: destination ? [options, destination] : options };
}
