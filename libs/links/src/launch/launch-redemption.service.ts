import { AuditService, BROKER_CHAIN } from '@app/audit';
import { isBrokerException, BrokerException, type RequestContext } from '@app/common';
import type { BrowserAction } from '@app/providers';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { LinkMinter } from '../link-minter';
import { type LinkTarget, LinkTargetResolver } from '../link-target.resolver';
import { LinksMetrics } from '../links.metrics';
import { LoginLinksStore, type StoredLink } from '../store/login-links.store';
import { hashLaunchToken } from './launch-token';

export type Redemption = { kind: 'gone' } | { kind: 'login'; action: BrowserAction };

/** GET /l/{opaque}: claim once, mint upstream at that moment, audit, then answer. */
@Injectable()
export class LaunchRedemptionService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly links: LoginLinksStore,
    private readonly targets: LinkTargetResolver,
    private readonly minter: LinkMinter,
    private readonly audit: AuditService,
    private readonly metrics: LinksMetrics,
  ) {}

  async redeem(opaque: string, ctx: RequestContext): Promise<Redemption> {
    const hash = hashLaunchToken(opaque);
    const link = hash ? await this.links.claim(hash) : undefined;
    if (link === undefined) {
      await this.reject(hash, ctx);
      return { kind: 'gone' };
    }
    const action = await this.mintOrUnclaim(link, ctx);
    // The fingerprint and the login_link.redeemed event are one autocommit statement.
    const fingerprint = this.audit.fingerprint(action.upstreamToken);
    await this.audit.record(
      this.dataSource.manager,
      { ...linkFields(link, ctx), action: 'login_link.redeemed', outcome: 'success', tokenFingerprint: fingerprint },
      this.links.fingerprintOf(link.scope, link.id, fingerprint),
    );
    this.metrics.count(link.provider, 'launch', 'redeemed');
    return { kind: 'login', action };
  }

  /**
   * Nothing reached the browser when resolving or minting fails, so the claim is given back: the
   * user can retry the same link until it expires (a retry after a transient upstream fault).
   */
  private async mintOrUnclaim(link: StoredLink, ctx: RequestContext): Promise<BrowserAction> {
    let target: LinkTarget;
    try {
      target = await this.targets.resolve(link.scope, link.connectionId);
    } catch (error) {
      await this.links.unclaim(link.scope, link.id);
      if (isBrokerException(error)) await this.recordFailure(link, ctx, error);
      throw error;
    }
    const request = {
      subject: link.subject,
      targetUri: link.targetUri ?? undefined,
      sessionLifetime: link.sessionLifetime ?? undefined,
    };
    try {
      return await this.minter.mint({ target, request, delivery: 'launch', ctx, linkId: link.id });
    } catch (error) {
      await this.links.unclaim(link.scope, link.id);
      throw error;
    }
  }

  private async recordFailure(link: StoredLink, ctx: RequestContext, error: BrokerException): Promise<void> {
    this.metrics.count(link.provider, 'launch', 'redeem_failed');
    await this.audit.record(this.dataSource.manager, {
      ...linkFields(link, ctx),
      action: 'login_link.failed',
      outcome: 'failure',
      errorCode: error.code,
      metadata: { delivery: 'launch', stage: 'redeem', status: error.status },
    });
  }

  /** Unknown tokens belong to no tenant: their attempts go to the broker-wide chain. */
  private async reject(hash: Buffer | undefined, ctx: RequestContext): Promise<void> {
    const link = hash ? await this.links.findByToken(hash) : undefined;
    const reason = link === undefined ? 'unknown' : link.redeemedAt !== null ? 'used' : 'expired';
    this.metrics.count(link?.provider ?? 'unknown', 'launch', 'redeem_rejected');
    await this.audit.record(this.dataSource.manager, {
      ...(link ? linkFields(link, ctx) : { scope: BROKER_CHAIN, ctx }),
      action: 'login_link.redeem_rejected',
      outcome: 'failure',
      errorCode: `launch_link_${reason}`,
      metadata: { delivery: 'launch', reason },
    });
  }
}

function linkFields(link: StoredLink, ctx: RequestContext) {
  return {
    scope: link.scope,
    ctx,
    connectionId: link.connectionId,
    provider: link.provider,
    subject: link.subject,
    linkId: link.id,
  };
}
