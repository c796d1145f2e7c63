import { Inject, Injectable, LoggerService } from '@nestjs/common';
import type { Level } from 'pino';
import type { BrokerPino } from './broker-logger';

export const BROKER_LOGGER = Symbol('BROKER_LOGGER');

const STACK_TRACE = /\n\s*at /;
/** Nest's start-up chatter (one line per module and route): useful when debugging, noise otherwise. */
const FRAMEWORK_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

/**
 * Nest's `Logger` (framework messages and the services' `new Logger(context)`) written through
 * the broker's pino logger, in the shape nestjs-pino used: `context`, the message, and the
 * fields of an object argument merged into the line (an Error becomes `err`).
 */
@Injectable()
export class BrokerLogger implements LoggerService {
  constructor(@Inject(BROKER_LOGGER) readonly pino: BrokerPino) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write(FRAMEWORK_CONTEXTS.has(params[params.length - 1] as string) ? 'debug' : 'info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    // Nest's Logger passes its context as the last argument.
    const rest = params.length > 0 ? params.slice(0, -1) : params;
    if (params.length > 0) fields.context = params[params.length - 1];
    if (message instanceof Error) {
      fields.err = message;
      this.pino[level](fields, ...(rest as []));
    } else if (typeof message === 'object' && message !== null) {
      this.pino[level]({ ...(message as Record<string, unknown>), ...fields }, ...(rest as []));
    } else if (level === 'error' && rest.length === 1 && typeof rest[0] === 'string' && STACK_TRACE.test(rest[0])) {
      // Nest's own `error(message, stack, context)`.
      const err = new Error(String(message));
      err.stack = rest[0];
      this.pino.error({ ...fields, err });
    } else {
      this.pino[level](fields, String(message), ...(rest as []));
    }
  }
}
