import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { json } from 'express';
import { LogLevel, ObservabilityModule } from '@app/observability';
import { HealthController } from './controllers/health.controller';
import { MetricsController } from './controllers/metrics.controller';
import { MAX_BODY_BYTES } from './bootstrap/configure-app';
import { requireJsonBodies } from './http/json-body.middleware';
import { screenJsonBody } from './http/json-screen';
import { refuseNulInUrl } from './http/url-screen.middleware';
import { AuditModule } from '@app/audit';
import { AuditEventsController } from './controllers/audit-events.controller';
import { AuditCheckpointsController } from './controllers/audit-checkpoints.controller';
import { brokerConfigModule, Environment } from '@app/config';
import { DatabaseConnectionOptions, DatabaseModule } from '@app/database';
import { ConnectionsModule } from '@app/connections';
import { VaultModule } from '@app/vault';
import { ConnectionsController } from './controllers/connections.controller';
import { VaultController } from './controllers/vault.controller';
import { LinksModule } from '@app/links';
import { LoginLinksController } from './controllers/login-links.controller';
import { LaunchController } from './controllers/launch.controller';
import { AuthModule } from '@app/auth';
import { TenantsModule } from '@app/tenants';
import { RateLimitModule } from '@app/rate-limit';
import { TenantsController } from './controllers/tenants.controller';
import { ApiKeysController } from './controllers/api-keys.controller';

export interface AppModuleOptions {
  env: Environment;
  database: DatabaseConnectionOptions;
}

/** The broker's wiring: one module per concern; controllers are thin and live here. */
@Module({})
export class AppModule implements NestModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ logLevel: options.env.LOG_LEVEL as LogLevel }),
        brokerConfigModule(options.env),
        DatabaseModule.forRoot(options.database),
        AuditModule,
        LinksModule,
        VaultModule,
        ConnectionsModule,
        TenantsModule,
        AuthModule,
        RateLimitModule,
      ],
      controllers: [
        HealthController,
        MetricsController,
        AuditEventsController,
        AuditCheckpointsController,
        LoginLinksController,
        LaunchController,
        ConnectionsController,
        VaultController,
        TenantsController,
        ApiKeysController,
      ],
    };
  }

  /**
   * URL screening and body parsing run as module middleware, after the observability middleware,
   * so that a malformed, oversized or non-JSON request still gets a request id, a log line and a metric.
   */
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(
        refuseNulInUrl,
        requireJsonBodies,
        json({
          limit: MAX_BODY_BYTES,
          strict: true,
          type: ['application/json', 'application/*+json'],
          verify: screenJsonBody,
        }),
      )
      .forRoutes('*');
  }
}
