import { ConnectionsModule } from '@app/connections';
import { ProvidersModule } from '@app/providers';
import { RateLimitStorageModule } from '@app/rate-limit';
import { TenantsModule } from '@app/tenants';
import { Module } from '@nestjs/common';
import { LaunchAnswerService } from './launch/launch-answer.service';
import { LaunchRedemptionService } from './launch/launch-redemption.service';
import { LinkMinter } from './link-minter';
import { LinkTargetResolver } from './link-target.resolver';
import { LinksMetrics } from './links.metrics';
import { LoginLinkRecordsService } from './login-link-records.service';
import { LoginLinksService } from './login-links.service';
import { IssuancePolicyCheck } from './policy/issuance-policy.check';
import { ExpiredLinkRecordsJanitor } from './retention/expired-link-records.janitor';
import { IdempotencyStore } from './store/idempotency.store';
import { LoginLinksStore } from './store/login-links.store';

/** Needs the global AuditModule and ConfigModule. */
@Module({
  imports: [ConnectionsModule, ProvidersModule, RateLimitStorageModule, TenantsModule],
  providers: [
    LoginLinksStore,
    IdempotencyStore,
    LinkTargetResolver,
    LinkMinter,
    LinksMetrics,
    IssuancePolicyCheck,
    LoginLinksService,
    LoginLinkRecordsService,
    LaunchRedemptionService,
    LaunchAnswerService,
    ExpiredLinkRecordsJanitor,
  ],
  exports: [LoginLinksService, LoginLinkRecordsService, LaunchAnswerService, ExpiredLinkRecordsJanitor],
})
export class LinksModule {}
