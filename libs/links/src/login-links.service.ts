import { AuditService, AuditUnavailableException, type AuditRecordInput } from '@app/audit';
import { isBrokerException, type RequestContext, type TenantScope } from '@app/common';
import type { Environment } from '@app/config';
import type { BrowserAction, MintRequest } from '@app/providers';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { CreateLoginLinkDto } from './dto/create-login-link.dto';
import type { LoginLinkDto } from './dto/login-link.dto';
import { requestHash } from './idempotency/request-hash';
import { newLaunchToken } from './launch/launch-token';
import { LinkMinter } from './link-minter';
import { type LinkTarget, LinkTargetResolver } from './link-target.resolver';
import { LinksException, LinksExceptionCode } from './links.exception';
import { LinksMetrics } from './links.metrics';
import { type IdempotencyClaim, IdempotencyStore } from './store/idempotency.store';
import { LoginLinksStore } from './store/login-links.store';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{16,255}$/;

interface Issue {
  target: LinkTarget;
  dto: CreateLoginLinkDto;
  request: MintRequest;
  ctx: RequestContext;
  claim?: IdempotencyClaim;
}

interface LinkToken {
  tokenHash: Buffer | null;
  tokenFingerprint: string | null;
}

/**
 * POST /v1/login-links. The answer leaves only after the link record, its audit event and (with
 * an Idempotency-Key) the replayable answer are committed together (docs/invariants.md).
 */
@Injectable()
export class LoginLinksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly targets: LinkTargetResolver,
    private readonly minter: LinkMinter,
    private readonly links: LoginLinksStore,
    private readonly idempotency: IdempotencyStore,
    private readonly audit: AuditService,
    private readonly metrics: LinksMetrics,
    private readonly config: ConfigService<Environment, true>,
  ) {}

  async issue(
    scope: TenantScope,
    dto: CreateLoginLinkDto,
    ctx: RequestContext,
    idempotencyKey?: string,
  ): Promise<LoginLinkDto> {
    if (idempotencyKey === undefined) return this.issueOnce(scope, dto, ctx);
    if (!IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new LinksException(
        400,
        LinksExceptionCode.INVALID_IDEMPOTENCY_KEY,
        'Idempotency-Key must be 16 to 255 visible ASCII characters (a UUID works).',
      );
    }
    const start = await this.idempotency.begin<LoginLinkDto>(
      scope,
      idempotencyKey,
      requestHash({ tenantId: scope.tenantId, dto }),
    );
    if ('replay' in start) return this.replay(scope, dto, ctx, start.replay);
    try {
      return await this.issueOnce(scope, dto, ctx, start.claim);
    } catch (error) {
      await this.idempotency.release(start.claim);
      throw error;
    }
  }

  /**
   * A replay hands a live link out again, so it is audited like an issue (and fails closed like
   * one): `login_link.replayed`, naming the link first issued for this Idempotency-Key.
   */
  private async replay(
    scope: TenantScope,
    dto: CreateLoginLinkDto,
    ctx: RequestContext,
    answer: LoginLinkDto,
  ): Promise<LoginLinkDto> {
    await this.audit.record(this.dataSource.manager, {
      action: 'login_link.replayed',
      outcome: 'success',
      scope,
      ctx,
      connectionId: answer.connection_id,
      provider: answer.provider,
      subject: subjectOf(dto),
      linkId: answer.id,
      metadata: { delivery: answer.delivery, expires_at: answer.expires_at, original_link_id: answer.id },
    });
    return answer;
  }

  private async issueOnce(
    scope: TenantScope,
    dto: CreateLoginLinkDto,
    ctx: RequestContext,
    claim?: IdempotencyClaim,
  ): Promise<LoginLinkDto> {
    const target = await this.targets.resolve(scope, dto.connection);
    const request: MintRequest = {
      subject: subjectOf(dto),
      targetUri: dto.target_uri,
      sessionLifetime: dto.session_lifetime,
    };
    target.provider.prepare(target.context, request);
    const issue: Issue = { target, dto, request, ctx, claim };
    return dto.delivery === 'launch' ? this.issueLaunch(issue) : this.issueDirect(issue);
  }

  private async issueDirect(issue: Issue): Promise<LoginLinkDto> {
    const action = await this.minter.mint({
      target: issue.target,
      request: issue.request,
      delivery: 'direct',
      ctx: issue.ctx,
    });
    const answer = this.answer(issue.target, randomUUID(), 'direct', action, action.upstreamExpiresAt);
    const fingerprint = this.audit.fingerprint(action.upstreamToken);
    await this.commit(issue, answer, { tokenHash: null, tokenFingerprint: fingerprint });
    return answer;
  }

  private async issueLaunch(issue: Issue): Promise<LoginLinkDto> {
    const token = newLaunchToken();
    const brokerDefault: number = this.config.getOrThrow('LAUNCH_LINK_TTL_SECONDS', { infer: true });
    const ttlSeconds = issue.dto.expires_in ?? issue.target.launchExpiresIn ?? brokerDefault;
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
    const url = `${this.config.getOrThrow('PUBLIC_BASE_URL', { infer: true })}/l/${token.opaque}`;
    const answer = this.answer(issue.target, randomUUID(), 'launch', { method: 'GET', url }, expiresAt);
    await this.commit(issue, answer, { tokenHash: token.hash, tokenFingerprint: null });
    return answer;
  }

  /**
   * The link record and its audit event are one statement (no answer before both are
   * committed; any failure: no link, 503). Without an Idempotency-Key it runs in autocommit, so
   * the tenant's chain head is locked for that one statement; with one, the idempotent answer
   * joins them in a transaction.
   */
  private async commit(issue: Issue, answer: LoginLinkDto, token: LinkToken): Promise<void> {
    const { scope } = issue.target;
    const event: AuditRecordInput = {
      action: 'login_link.issued',
      outcome: 'success',
      scope,
      ctx: issue.ctx,
      connectionId: issue.target.connectionId,
      provider: issue.target.providerKind,
      subject: issue.request.subject,
      linkId: answer.id,
      tokenFingerprint: token.tokenFingerprint,
      metadata: { delivery: answer.delivery, expires_at: answer.expires_at },
    };
    const record = this.links.recordOf(scope, {
      id: answer.id,
      connectionId: issue.target.connectionId,
      provider: issue.target.providerKind,
      delivery: answer.delivery,
      subject: issue.request.subject,
      targetUri: issue.request.targetUri ?? null,
      sessionLifetime: issue.request.sessionLifetime ?? null,
      tokenHash: token.tokenHash,
      tokenFingerprint: token.tokenFingerprint,
      expiresAt: answer.expires_at,
    });
    const claim = issue.claim;
    const write = claim
      ? this.dataSource.transaction(async (tx) => {
          await this.audit.record(tx, event, record);
          await this.idempotency.complete(claim, answer, tx);
        })
      : this.audit.record(this.dataSource.manager, event, record);
    await write.catch((error: unknown) => {
      throw isBrokerException(error) ? error : new AuditUnavailableException(error);
    });
    this.metrics.count(issue.target.providerKind, answer.delivery, 'issued');
  }

  private answer(
    target: LinkTarget,
    id: string,
    delivery: 'direct' | 'launch',
    action: Pick<BrowserAction, 'method' | 'url' | 'form'>,
    expiresAt: Date,
  ): LoginLinkDto {
    return {
      id,
      tenant_id: target.scope.tenantId,
      connection_id: target.connectionId,
      provider: target.providerKind,
      delivery,
      method: action.method,
      url: action.url,
      ...(action.form ? { form: { action: action.form.action, fields: { ...action.form.fields } } } : {}),
      expires_at: expiresAt.toISOString(),
    };
  }
}

function subjectOf(dto: CreateLoginLinkDto): MintRequest['subject'] {
  const { login, user_id, external_id } = dto.user;
  return Object.fromEntries(Object.entries({ login, user_id, external_id }).filter(([, value]) => value !== undefined));
}
