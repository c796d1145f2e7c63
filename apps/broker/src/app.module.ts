import { DynamicModule, Module } from '@nestjs/common';
import { type BrokerPino, LogLevel, ObservabilityModule } from '@app/observability';
import { HealthController } from './controllers/health.controller';
import { MetricsController } from './controllers/metrics.controller';
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
import { TenantLoginLinksController } from './controllers/tenant-login-links.controller';
import { AuthModule } from '@app/auth';
import { TenantsModule } from '@app/tenants';
import { RateLimitModule } from '@app/rate-limit';
import { TenantsController } from './controllers/tenants.controller';
import { ApiKeysController } from './controllers/api-keys.controller';
import { AuditStatsController } from './controllers/audit-stats.controller';
import { ConsoleSessionController } from './controllers/console-session.controller';

export interface AppModuleOptions {
  env: Environment;
  database: DatabaseConnectionOptions;
  /** The pino logger the HTTP server logs with (createHttpAdapter), so that there is one; absent, one at LOG_LEVEL. */
  logger?: BrokerPino;
}

/** The broker's wiring: one module per concern; controllers are thin and live here. */
@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ logLevel: options.env.LOG_LEVEL as LogLevel, logger: options.logger }),
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
        TenantLoginLinksController,
        ConnectionsController,
        VaultController,
        TenantsController,
        ApiKeysController,
        AuditStatsController,
        ConsoleSessionController,
      ],
    };
  }
}
