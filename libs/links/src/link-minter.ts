import { AuditService } from '@app/audit';
import { isBrokerException, RequestContext } from '@app/common';
import { BrowserAction, MintRequest } from '@app/providers';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { LinkDelivery } from './store/login-links.store';
import { LinkTarget } from './link-target.resolver';
import { LinksMetrics } from './links.metrics';

export interface MintAttempt {
  target: LinkTarget;
  request: MintRequest;
  delivery: LinkDelivery;
  ctx: RequestContext;
  /** The launch link being redeemed; absent for direct links (no record exists yet). */
  linkId?: string;
  /** The request's reason (docs/links.md#issuance-policy), recorded with a failure at issue. */
  reason?: string;
}

/**
 * Calls the upstream outside any transaction (a slow upstream must not hold a database
 * connection or lock). A refusal or fault is recorded as `login_link.failed` before the
 * provider's error propagates (docs/invariants.md#6-upstream-faults-are-clear-bounded-and-audited).
 */
@Injectable()
export class LinkMinter {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly metrics: LinksMetrics,
  ) {}

  async mint(attempt: MintAttempt): Promise<BrowserAction> {
    const { target, request, delivery, ctx, linkId, reason } = attempt;
    try {
      return await target.provider.mint(target.context, request);
    } catch (error) {
      if (!isBrokerException(error)) throw error;
      this.metrics.count(target.providerKind, delivery, linkId === undefined ? 'failed' : 'redeem_failed');
      await this.audit.record(this.dataSource.manager, {
        action: 'login_link.failed',
        outcome: 'failure',
        scope: target.scope,
        ctx,
        connectionId: target.connectionId,
        provider: target.providerKind,
        subject: request.subject,
        linkId: linkId ?? null,
        errorCode: error.code,
        metadata: {
          delivery,
          stage: linkId === undefined ? 'issue' : 'redeem',
          status: error.status,
          ...(reason === undefined ? {} : { reason }),
        },
      });
      throw error;
    }
  }
}
