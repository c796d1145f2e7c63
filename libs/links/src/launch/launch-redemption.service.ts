import { AuditService, BROKER_CHAIN } from '@app/audit';
import { isBrokerException, BrokerException, isCrossSite, type RequestContext, type RequestOrigin } from '@app/common';
import type { Environment } from '@app/config';
import { type BrowserAction, ProviderRegistry } from '@app/providers';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { LinkMinter } from '../link-minter';
import { type LinkTarget, LinkTargetResolver } from '../link-target.resolver';
import { LinksMetrics } from '../links.metrics';
import { LoginLinksStore, type StoredLink } from '../store/login-links.store';
import type { LaunchConfirmationMode } from './launch-pages';
import { hashLaunchToken } from './launch-token';

export type LaunchView =
  | { kind: 'gone' }
  | { kind: 'unavailable'; status: number; code: string }
  | {
      kind: 'continue';
      tenantName: string;
      upstreamName: string;
      confirmation: LaunchConfirmationMode;
      upstreamOrigin: string;
    };

export type Redemption =
  { kind: 'gone' } | { kind: 'cross_site' } | { kind: 'login'; action: BrowserAction; upstreamName: string };

type RejectReason = 'unknown' | 'used' | 'expired' | 'revoked' | 'cross_site';

/**
 * A launch link (docs/links.md#the-launch-page-flow): GET only looks (`view`: no claim, no audit
 * event, nothing about the upstream); POST is the one redemption (`redeem`: claim once, mint
 * upstream at that moment, audit, then answer).
 */
@Injectable()
export class LaunchRedemptionService {
  private readonly publicOrigin: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly links: LoginLinksStore,
    private readonly targets: LinkTargetResolver,
    private readonly minter: LinkMinter,
    private readonly audit: AuditService,
    private readonly metrics: LinksMetrics,
    private readonly registry: ProviderRegistry,
    config: ConfigService<Environment, true>,
  ) {
    this.publicOrigin = new URL(config.getOrThrow('PUBLIC_BASE_URL', { infer: true })).origin;
  }

  /**
   * What the continue page shows. A scanner's GET or HEAD ends here: it reads one row and writes
   * nothing, so it can neither spend the link nor fill the audit chain. A suspended tenant or a
   * deleted connection is told at once (the POST would refuse it anyway, audited).
   */
  async view(opaque: string): Promise<LaunchView> {
    const hash = hashLaunchToken(opaque);
    const link = hash === undefined ? ({ state: 'gone' } as const) : await this.links.findLaunchView(hash);
    this.metrics.count(link.state === 'live' ? link.provider : 'unknown', 'launch', 'viewed');
    if (link.state === 'gone') return { kind: 'gone' };
    if (!link.tenantActive) return { kind: 'unavailable', status: 403, code: 'tenant_suspended' };
    if (link.connection === null) return { kind: 'unavailable', status: 404, code: 'connection_not_found' };
    return {
      kind: 'continue',
      tenantName: link.tenantName,
      upstreamName: this.registry.get(link.provider).displayName,
      confirmation: link.connection.launchConfirmation === 'click' ? 'click' : 'auto',
      upstreamOrigin: new URL(link.connection.baseUrl).origin,
    };
  }

  /** POST /l/{opaque}: every attempt is audited, whatever its outcome. */
  async redeem(opaque: string, ctx: RequestContext, origin: RequestOrigin): Promise<Redemption> {
    const hash = hashLaunchToken(opaque);
    if (isCrossSite(origin, this.publicOrigin)) {
      await this.reject(hash, ctx, 'cross_site');
      return { kind: 'cross_site' };
    }
    const link = hash ? await this.links.claim(hash) : undefined;
    if (link === undefined) {
      await this.reject(hash, ctx);
      return { kind: 'gone' };
    }
    const { action, target } = await this.mintOrUnclaim(link, ctx);
    // The fingerprint and the login_link.redeemed event are one autocommit statement.
    const fingerprint = this.audit.fingerprint(action.upstreamToken);
    await this.audit.record(
      this.dataSource.manager,
      { ...linkFields(link, ctx), action: 'login_link.redeemed', outcome: 'success', tokenFingerprint: fingerprint },
      [this.links.fingerprintOf(link.scope, link.id, fingerprint)],
    );
    this.metrics.count(link.provider, 'launch', 'redeemed');
    return { kind: 'login', action, upstreamName: target.provider.displayName };
  }

  /**
   * Nothing reached the browser when resolving or minting fails, so the claim is given back: the
   * user can retry the same link until it expires (a retry after a transient upstream fault).
   */
  private async mintOrUnclaim(
    link: StoredLink,
    ctx: RequestContext,
  ): Promise<{ action: BrowserAction; target: LinkTarget }> {
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
      const action = await this.minter.mint({ target, request, delivery: 'launch', ctx, linkId: link.id });
      return { action, target };
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
  private async reject(hash: Buffer | undefined, ctx: RequestContext, why?: RejectReason): Promise<void> {
    const link = hash ? await this.links.findByToken(hash) : undefined;
    const reason: RejectReason =
      why ??
      (link === undefined
        ? 'unknown'
        : link.revokedAt !== null
          ? 'revoked'
          : link.redeemedAt !== null
            ? 'used'
            : 'expired');
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
