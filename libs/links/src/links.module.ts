import { ConnectionsModule } from '@app/connections';
import { ProvidersModule } from '@app/providers';
import { Module } from '@nestjs/common';
import { LaunchAnswerService } from './launch/launch-answer.service';
import { LaunchRedemptionService } from './launch/launch-redemption.service';
import { LinkMinter } from './link-minter';
import { LinkTargetResolver } from './link-target.resolver';
import { LinksMetrics } from './links.metrics';
import { LoginLinksService } from './login-links.service';
import { ExpiredLinkRecordsJanitor } from './retention/expired-link-records.janitor';
import { IdempotencyStore } from './store/idempotency.store';
import { LoginLinksStore } from './store/login-links.store';

/** Needs the global AuditModule and ConfigModule. */
@Module({
  imports: [ConnectionsModule, ProvidersModule],
  providers: [
    LoginLinksStore,
    IdempotencyStore,
    LinkTargetResolver,
    LinkMinter,
    LinksMetrics,
    LoginLinksService,
    LaunchRedemptionService,
    LaunchAnswerService,
    ExpiredLinkRecordsJanitor,
  ],
  exports: [LoginLinksService, LaunchAnswerService, ExpiredLinkRecordsJanitor],
})
export class LinksModule {}
