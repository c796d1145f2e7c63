import type { Environment } from '@app/config';
import { RateLimitStorageModule } from '@app/rate-limit';
import { TenantDeletions, TenantsModule } from '@app/tenants';
import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeyCache } from './api-keys/api-key.cache';
import { ApiKeyRevocations } from './api-keys/api-key-revocations';
import { ApiKeyAuthenticator } from './api-keys/api-key.authenticator';
import { ApiKeysBootstrap } from './api-keys/api-keys.bootstrap';
import { ApiKeysService } from './api-keys/api-keys.service';
import { ApiKeysStore } from './api-keys/api-keys.store';
import { ApiKeyEntity } from './api-keys/entities/api-key.entity';
import { LastUsedTracker } from './api-keys/last-used.tracker';
import { ConsoleCookie } from './console-sessions/console-cookie';
import { ConsoleSessionAuthenticator } from './console-sessions/console-session.authenticator';
import { ConsoleSessionsService } from './console-sessions/console-sessions.service';
import { ConsoleSessionsStore } from './console-sessions/console-sessions.store';
import { ApiKeyAuthGuard } from './guards/api-key-auth.guard';
import { RolesGuard } from './guards/roles.guard';
import { TenantScopeGuard } from './guards/tenant-scope.guard';
import { ApiKeyStrategy } from './passport/api-key.strategy';

/** Global guards run in this order: authenticate, then role, then tenant scope. */
@Module({
  imports: [TypeOrmModule.forFeature([ApiKeyEntity]), TenantsModule, RateLimitStorageModule],
  providers: [
    {
      provide: ApiKeyCache,
      inject: [ConfigService, TenantDeletions],
      useFactory: (config: ConfigService<Environment, true>, tenantDeletions: TenantDeletions) => {
        const cache = new ApiKeyCache(config.get('API_KEY_CACHE_TTL_MS', { infer: true }));
        tenantDeletions.subscribe((tenantId) => cache.evictTenant(tenantId));
        return cache;
      },
    },
    ApiKeysStore,
    ApiKeyRevocations,
    ApiKeysService,
    ApiKeyAuthenticator,
    LastUsedTracker,
    ApiKeysBootstrap,
    ApiKeyStrategy,
    ConsoleCookie,
    ConsoleSessionsStore,
    ConsoleSessionsService,
    ConsoleSessionAuthenticator,
    { provide: APP_GUARD, useClass: ApiKeyAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
    { provide: APP_GUARD, useClass: TenantScopeGuard },
  ],
  exports: [ApiKeysService, ConsoleSessionsService, ConsoleCookie],
})
export class AuthModule {}
