import { DynamicModule, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { destination, type DestinationStream } from 'pino';
import { HealthCheckLogger } from './health/health-check.logger';
import { HealthService } from './health/health.service';
import { MigrationsHealthIndicator } from './health/migrations.health';
import { loggerParams } from './logging/logger-params';
import { DbPoolMetrics } from './metrics/db-pool.metrics';
import { HttpMetricsMiddleware } from './metrics/http-metrics.middleware';
import { MetricsService } from './metrics/metrics.service';
import {
  LOG_DESTINATION,
  OBSERVABILITY_OPTIONS,
  ObservabilityAsyncOptions,
  ObservabilityOptions,
} from './observability.options';

/**
 * Logs, metrics and health for the broker. Global, so that its middleware (request id, request
 * log, HTTP metrics) runs before any middleware of the importing modules.
 */
@Module({})
export class ObservabilityModule implements NestModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    return ObservabilityModule.forRootAsync({ useFactory: () => options });
  }

  static forRootAsync(options: ObservabilityAsyncOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      global: true,
      imports: [
        LoggerModule.forRootAsync({
          imports: options.imports,
          providers: [
            { provide: OBSERVABILITY_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
            { provide: LOG_DESTINATION, useFactory: () => destination(1) },
          ],
          inject: [OBSERVABILITY_OPTIONS, LOG_DESTINATION],
          useFactory: (resolved: ObservabilityOptions, stream: DestinationStream) =>
            loggerParams({ level: resolved.logLevel, destination: stream }),
        }),
        TerminusModule.forRoot({ errorLogStyle: 'json', logger: HealthCheckLogger }),
      ],
      providers: [MetricsService, DbPoolMetrics, MigrationsHealthIndicator, HealthService],
      exports: [MetricsService, HealthService],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes({ path: '*', method: RequestMethod.ALL });
  }
}
