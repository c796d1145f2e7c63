import {
  pino,
  stdSerializers,
  stdTimeFunctions,
  type DestinationStream,
  type Logger,
  type LevelWithSilent,
} from 'pino';
import pinoPretty from 'pino-pretty';
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

export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LoggingOptions {
  level: LogLevel;
  /** Where JSON lines go; stdout when absent. Tests pass a capturing stream. */
  destination?: DestinationStream;
  /** `pretty`: human-readable lines for a terminal; `auto`: pretty when stdout is a terminal. JSON by default. */
  format?: LogFormat;
}

/** Whether `format` means human-readable lines on this process's stdout. */
export function isPrettyLogFormat(format: LogFormat | undefined): boolean {
  return format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true);
}

/** Fastify announces every address it listens on at info; the broker prints one ready line itself. */
const FRAMEWORK_CHATTER = /^Server listening at /;

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
export function createBrokerLogger({ level, destination, format }: LoggingOptions): BrokerPino {
  const options = {
    level,
    timestamp: stdTimeFunctions.isoTime,
    serializers: { req: serializeRequest, res: serializeResponse, err: stdSerializers.err },
    redact: { paths: REDACTED_HEADER_PATHS, censor: REDACTED },
    formatters: { log: redactSecretFields },
    hooks: {
      logMethod(
        this: BrokerPino,
        args: Parameters<BrokerPino['info']>,
        method: (...a: unknown[]) => void,
        level: number,
      ) {
        const message = typeof args[0] === 'string' ? args[0] : args[1];
        if (level === 30 && typeof message === 'string' && FRAMEWORK_CHATTER.test(message)) {
          if (this.isLevelEnabled('debug')) this.debug(...(args as [string]));
          return;
        }
        method.apply(this, args);
      },
    },
  };
  if (destination) return pino(options, destination);
  if (isPrettyLogFormat(format)) {
    // In-process and synchronous: for a person at a terminal, not for log shippers (they get JSON).
    return pino(
      options,
      pinoPretty({ colorize: true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss', singleLine: true }),
    );
  }
  return pino(options, pino.destination(1));
}
