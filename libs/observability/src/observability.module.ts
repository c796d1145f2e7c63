import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthCheckLogger } from './health/health-check.logger';
import { HealthService } from './health/health.service';
import { MigrationsHealthIndicator } from './health/migrations.health';
import { createBrokerLogger } from './logging/broker-logger';
import { BROKER_LOGGER, BrokerLogger } from './logging/nest-logger';
import { DbPoolMetrics } from './metrics/db-pool.metrics';
import { HttpMetrics } from './metrics/http-metrics';
import { MetricsService } from './metrics/metrics.service';
import { OBSERVABILITY_OPTIONS, ObservabilityAsyncOptions, ObservabilityOptions } from './observability.options';

/**
 * Logs, metrics and health for the broker. Global: BrokerLogger (Nest's logger over the one pino
 * logger), HttpMetrics (fed by the Fastify hooks of installHttpObservability) and health.
 */
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    return ObservabilityModule.forRootAsync({ useFactory: () => options });
  }

  static forRootAsync(options: ObservabilityAsyncOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      global: true,
      imports: [
        ...(options.imports ?? []),
        TerminusModule.forRoot({ errorLogStyle: 'json', logger: HealthCheckLogger }),
      ],
      providers: [
        { provide: OBSERVABILITY_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        {
          provide: BROKER_LOGGER,
          inject: [OBSERVABILITY_OPTIONS],
          useFactory: (resolved: ObservabilityOptions) =>
            resolved.logger ?? createBrokerLogger({ level: resolved.logLevel }),
        },
        BrokerLogger,
        MetricsService,
        HttpMetrics,
        DbPoolMetrics,
        MigrationsHealthIndicator,
        HealthService,
      ],
      exports: [BROKER_LOGGER, BrokerLogger, MetricsService, HttpMetrics, HealthService],
    };
  }
}
