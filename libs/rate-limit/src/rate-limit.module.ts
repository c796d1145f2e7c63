import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { getOptionsToken, getStorageToken } from '@nestjs/throttler';
import type { Environment } from '@app/config';
import { PostgresThrottlerStorage } from './postgres-throttler.storage';
import { RateLimitStorageModule } from './rate-limit-storage.module';
import { RateLimitGuard } from './rate-limit.guard';
import { buildThrottlers } from './rate-limit.throttlers';
import { TenantRateLimits } from './tenant-rate-limits';

/** Import it AFTER AuthModule: global guards run in registration order and this one needs the principal. */
@Module({
  imports: [RateLimitStorageModule],
  providers: [
    TenantRateLimits,
    { provide: getStorageToken(), useExisting: PostgresThrottlerStorage },
    {
      provide: getOptionsToken(),
      inject: [ConfigService, TenantRateLimits],
      useFactory: (config: ConfigService<Environment, true>, tenantLimits: TenantRateLimits) =>
        buildThrottlers(
          {
            perKeyPerMinute: config.get('RATE_LIMIT_PER_KEY_PER_MINUTE', { infer: true }),
            perTenantPerMinute: config.get('RATE_LIMIT_PER_TENANT_PER_MINUTE', { infer: true }),
            perIpPerMinute: config.get('RATE_LIMIT_PER_IP_PER_MINUTE', { infer: true }),
          },
          tenantLimits,
        ),
    },
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
  exports: [RateLimitStorageModule],
})
export class RateLimitModule {}
