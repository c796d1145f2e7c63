import type { InjectionToken, ModuleMetadata, OptionalFactoryDependency } from '@nestjs/common';
import type { BrokerPino, LogLevel } from './logging/broker-logger';

export interface ObservabilityOptions {
  logLevel: LogLevel;
  /**
   * The process's pino logger, when the HTTP server was given it too (Fastify's `loggerInstance`);
   * absent, one is created at `logLevel` writing to stdout (e.g. an application context without HTTP).
   */
  logger?: BrokerPino;
}

export interface ObservabilityAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: Array<InjectionToken | OptionalFactoryDependency>;
  useFactory: (...args: never[]) => ObservabilityOptions | Promise<ObservabilityOptions>;
}

export const OBSERVABILITY_OPTIONS = Symbol('OBSERVABILITY_OPTIONS');
