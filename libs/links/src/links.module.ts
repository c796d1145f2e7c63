import { ConnectionsModule } from '@app/connections';
import { ProvidersModule } from '@app/providers';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoginLinkEntity } from './entities/login-link.entity';
import { IdempotencyStore } from './idempotency/idempotency.store';
import { LaunchAnswerService } from './launch/launch-answer.service';
import { LaunchRedemptionService } from './launch/launch-redemption.service';
import { LinkMinter } from './link-minter';
import { LinkTargetResolver } from './link-target.resolver';
import { LinksMetrics } from './links.metrics';
import { LoginLinksService } from './login-links.service';
import { ExpiredLinkRecordsJanitor } from './retention/expired-link-records.janitor';

/** Needs the global AuditModule and ConfigModule. */
@Module({
  imports: [TypeOrmModule.forFeature([LoginLinkEntity]), ConnectionsModule, ProvidersModule],
  providers: [
    LinkTargetResolver,
    LinkMinter,
    IdempotencyStore,
    LinksMetrics,
    LoginLinksService,
    LaunchRedemptionService,
    LaunchAnswerService,
    ExpiredLinkRecordsJanitor,
  ],
  exports: [LoginLinksService, LaunchAnswerService, ExpiredLinkRecordsJanitor],
})
export class LinksModule {}
