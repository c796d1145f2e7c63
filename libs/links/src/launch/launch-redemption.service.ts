import { AuditService } from '@app/audit';
import { BrokerException, RequestContext } from '@app/common';
import { BrowserAction, LoginSubject } from '@app/providers';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { LinkMinter } from '../link-minter';
import { LinkTarget, LinkTargetResolver } from '../link-target.resolver';
import { LinksMetrics } from '../links.metrics';
import { hashLaunchToken } from './launch-token';

export type Redemption = { kind: 'gone' } | { kind: 'login'; action: BrowserAction };

interface LinkRow {
  id: string;
  tenant_id: string;
  connection_id: string;
  provider: string;
  subject: LoginSubject;
  target_uri: string | null;
  session_lifetime: number | null;
}

type RejectedRow = LinkRow & { redeemed_at: Date | null };

// One statement decides the race: across any number of broker instances exactly one request
// sees the row with redeemed_at still NULL.
const CLAIM_SQL = `
  WITH claimed AS (
    UPDATE login_links SET redeemed_at = now()
    WHERE token_hash = $1 AND delivery = 'launch' AND redeemed_at IS NULL AND expires_at > now()
    RETURNING id, tenant_id, connection_id, provider, subject, target_uri, session_lifetime
  ) SELECT * FROM claimed`;
const UNCLAIM_SQL = `UPDATE login_links SET redeemed_at = NULL WHERE id = $1`;
const FIND_SQL = `
  SELECT id, tenant_id, connection_id, provider, subject, target_uri, session_lifetime, redeemed_at
  FROM login_links WHERE token_hash = $1`;

/** GET /l/{opaque}: claim once, mint upstream at that moment, audit, then answer. */
@Injectable()
export class LaunchRedemptionService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly targets: LinkTargetResolver,
    private readonly minter: LinkMinter,
    private readonly audit: AuditService,
    private readonly metrics: LinksMetrics,
  ) {}

  async redeem(opaque: string, ctx: RequestContext): Promise<Redemption> {
    const hash = hashLaunchToken(opaque);
    const [link] = hash ? await this.dataSource.query<LinkRow[]>(CLAIM_SQL, [hash]) : [];
    if (link === undefined) {
      await this.reject(hash, ctx);
      return { kind: 'gone' };
    }
    const action = await this.mintOrUnclaim(link, ctx);
    // The fingerprint and the login_link.redeemed event are one autocommit statement.
    const fingerprint = this.audit.fingerprint(action.upstreamToken);
    await this.audit.recordWith(
      this.dataSource.manager,
      {
        ...this.linkFields(link, ctx),
        action: 'login_link.redeemed',
        outcome: 'success',
        tokenFingerprint: fingerprint,
      },
      {
        sql: `UPDATE login_links SET token_fingerprint = $2::text FROM appended WHERE login_links.id = $1::uuid`,
        params: [link.id, fingerprint],
      },
    );
    this.metrics.count(link.provider, 'launch', 'redeemed');
    return { kind: 'login', action };
  }

  /**
   * Nothing reached the browser when resolving or minting fails, so the claim is given back: the
   * user can retry the same link until it expires (a retry after a transient upstream fault).
   */
  private async mintOrUnclaim(link: LinkRow, ctx: RequestContext): Promise<BrowserAction> {
    let target: LinkTarget;
    try {
      target = await this.targets.resolve(link.tenant_id, link.connection_id);
    } catch (error) {
      await this.dataSource.query(UNCLAIM_SQL, [link.id]);
      if (error instanceof BrokerException) await this.recordFailure(link, ctx, error);
      throw error;
    }
    const request = {
      subject: link.subject,
      targetUri: link.target_uri ?? undefined,
      sessionLifetime: link.session_lifetime ?? undefined,
    };
    try {
      return await this.minter.mint({ target, request, delivery: 'launch', ctx, linkId: link.id });
    } catch (error) {
      await this.dataSource.query(UNCLAIM_SQL, [link.id]);
      throw error;
    }
  }

  private async recordFailure(link: LinkRow, ctx: RequestContext, error: BrokerException): Promise<void> {
    this.metrics.count(link.provider, 'launch', 'redeem_failed');
    await this.audit.record(this.dataSource.manager, {
      ...this.linkFields(link, ctx),
      action: 'login_link.failed',
      outcome: 'failure',
      errorCode: error.code,
      metadata: { delivery: 'launch', stage: 'redeem', status: error.status },
    });
  }

  /** Unknown tokens belong to no tenant: their attempts go to the broker-wide chain. */
  private async reject(hash: Buffer | undefined, ctx: RequestContext): Promise<void> {
    const [row] = hash ? await this.dataSource.query<RejectedRow[]>(FIND_SQL, [hash]) : [];
    const reason = row === undefined ? 'unknown' : row.redeemed_at !== null ? 'used' : 'expired';
    this.metrics.count(row?.provider ?? 'unknown', 'launch', 'redeem_rejected');
    await this.audit.record(this.dataSource.manager, {
      ...(row ? this.linkFields(row, ctx) : { tenantId: null, ctx }),
      action: 'login_link.redeem_rejected',
      outcome: 'failure',
      errorCode: `launch_link_${reason}`,
      metadata: { delivery: 'launch', reason },
    });
  }

  private linkFields(link: LinkRow, ctx: RequestContext) {
    return {
      tenantId: link.tenant_id,
      ctx,
      connectionId: link.connection_id,
      provider: link.provider,
      subject: link.subject,
      linkId: link.id,
    };
  }
}
