import { AuditService } from '@app/audit';
import type { RequestContext, TenantScope } from '@app/common';
import { TenantsService } from '@app/tenants';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { LoginLinkStatusDto } from './dto/login-link-status.dto';
import type { RevokeLoginLinksDto, RevokeLoginLinksResultDto } from './dto/revoke-login-links.dto';
import { LinksException, LinksExceptionCode } from './links.exception';
import { LinksMetrics } from './links.metrics';
import { type LinkRecord, LoginLinksStore } from './store/login-links.store';

/**
 * GET /v1/login-links/{id}, DELETE /v1/login-links/{id} and the tenant-wide revocation
 * (docs/links.md#revocation). A revocation and its `login_link.revoked` event share one
 * transaction; the redemption claim re-checks `revoked_at` under the row lock, so a link revoked
 * before its claim can never be redeemed.
 */
@Injectable()
export class LoginLinkRecordsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly links: LoginLinksStore,
    private readonly audit: AuditService,
    private readonly metrics: LinksMetrics,
    private readonly tenants: TenantsService,
  ) {}

  async get(scope: TenantScope, linkId: string): Promise<LoginLinkStatusDto> {
    const link = await this.links.find(scope, linkId);
    if (link === undefined) throw linkNotFound();
    return toDto(link);
  }

  /**
   * Revokes one unredeemed, unexpired launch link; revoking a revoked link again changes nothing
   * (and records nothing). A redeemed, expired or direct link cannot be revoked: 409.
   */
  async revoke(scope: TenantScope, linkId: string, ctx: RequestContext): Promise<void> {
    const revoked = await this.dataSource.transaction(async (tx) => {
      const link = await this.links.find(scope, linkId, tx, true);
      if (link === undefined) throw linkNotFound();
      if (link.status === 'revoked') return undefined;
      if (link.delivery !== 'launch' || link.status !== 'issued') {
        throw new LinksException(
          409,
          LinksExceptionCode.LOGIN_LINK_NOT_REVOCABLE,
          link.delivery === 'launch'
            ? `This launch link is ${link.status}; only an unused, unexpired launch link can be revoked.`
            : 'A direct link cannot be revoked: its upstream token was handed out when it was issued.',
        );
      }
      const after = await this.links.markRevoked(scope, linkId, tx);
      await this.audit.record(tx, {
        action: 'login_link.revoked',
        outcome: 'success',
        scope,
        ctx,
        connectionId: link.connectionId,
        provider: link.provider,
        subject: link.subject,
        linkId,
        metadata: { revoked: 1, by: 'link' },
      });
      return after;
    });
    if (revoked !== undefined) this.metrics.count(revoked.provider, 'launch', 'revoked');
  }

  /** Every outstanding launch link of the tenant matching the filters, with one event and its count. */
  async revokeOutstanding(
    scope: TenantScope,
    dto: RevokeLoginLinksDto,
    ctx: RequestContext,
  ): Promise<RevokeLoginLinksResultDto> {
    const subject = dto.user === undefined ? undefined : plainSubject(dto.user);
    await this.tenants.get(scope); // 404 tenant_not_found: no event on the chain of a tenant that does not exist
    const revoked = await this.dataSource.transaction(async (tx) => {
      const n = await this.links.revokeOutstanding(scope, { connectionId: dto.connection_id, subject }, tx);
      await this.audit.record(tx, {
        action: 'login_link.revoked',
        outcome: 'success',
        scope,
        ctx,
        connectionId: dto.connection_id ?? null,
        subject: subject ?? null,
        metadata: {
          revoked: n,
          by: 'tenant',
          filter: { connection_id: dto.connection_id ?? null, user: subject ?? null },
        },
      });
      return n;
    });
    if (revoked > 0) this.metrics.count('all', 'launch', 'revoked', revoked);
    return { revoked };
  }
}

function linkNotFound(): LinksException {
  return new LinksException(404, LinksExceptionCode.LOGIN_LINK_NOT_FOUND, 'No login link with this id in this tenant.');
}

function plainSubject(user: { login?: string; user_id?: string; external_id?: string }) {
  const { login, user_id, external_id } = user;
  return Object.fromEntries(Object.entries({ login, user_id, external_id }).filter(([, v]) => v !== undefined));
}

function toDto(link: LinkRecord): LoginLinkStatusDto {
  return {
    id: link.id,
    tenant_id: link.tenantId,
    connection_id: link.connectionId,
    provider: link.provider,
    delivery: link.delivery,
    user: { ...link.subject },
    status: link.status,
    created_at: link.createdAt.toISOString(),
    expires_at: link.expiresAt.toISOString(),
    redeemed_at: link.redeemedAt?.toISOString() ?? null,
    revoked_at: link.revokedAt?.toISOString() ?? null,
  };
}
