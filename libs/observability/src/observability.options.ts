import type { InjectionToken, ModuleMetadata, OptionalFactoryDependency } from '@nestjs/common';
import type { LogLevel } from './logging/logger-params';

export interface ObservabilityOptions {
  logLevel: LogLevel;
}

export interface ObservabilityAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: Array<InjectionToken | OptionalFactoryDependency>;
  useFactory: (...args: never[]) => ObservabilityOptions | Promise<ObservabilityOptions>;
}

export const OBSERVABILITY_OPTIONS = Symbol('OBSERVABILITY_OPTIONS');

/** The pino destination stream (stdout by default); tests override it to capture every line. */
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');
