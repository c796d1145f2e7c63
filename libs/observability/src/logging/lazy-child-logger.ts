import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, Level, Logger } from 'pino';

/**
 * Fastify's `request.log`: the request-scoped child logger is only built when a line at an
 * enabled level is written to it (the broker's own code never does; Fastify itself rarely
 * does), instead of once for every request.
 */
class LazyChildLogger {
  private built?: Logger;

  constructor(
    private readonly root: Logger,
    private readonly bindings: Bindings,
  ) {}

  get level(): string {
    return this.root.level;
  }

  private write(level: Level, args: unknown[]): void {
    if (!this.root.isLevelEnabled(level)) return;
    this.built ??= this.root.child(this.bindings);
    Reflect.apply(this.built[level], this.built, args);
  }

  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.write('error', args);
  }
  warn(...args: unknown[]): void {
    this.write('warn', args);
  }
  info(...args: unknown[]): void {
    this.write('info', args);
  }
  debug(...args: unknown[]): void {
    this.write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.write('trace', args);
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.root.child({ ...this.bindings, ...bindings }, options);
  }
}

/** Fastify's `childLoggerFactory` option. */
export function lazyChildLoggerFactory(logger: FastifyBaseLogger, bindings: Bindings): FastifyBaseLogger {
  // Methods live on the prototype: one small object per request, no closures.
  return new LazyChildLogger(logger as Logger, bindings);
}
