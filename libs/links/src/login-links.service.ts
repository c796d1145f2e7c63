import { AuditService, AuditUnavailableException, type AuditRecordInput } from '@app/audit';
import { isBrokerException, type RequestContext, type TenantScope } from '@app/common';
import type { Environment } from '@app/config';
import type { StatementPrelude } from '@app/database';
import type { BrowserAction, MintRequest } from '@app/providers';
import type { DeferredCharge } from '@app/rate-limit';
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
import { IssuancePolicyCheck } from './policy/issuance-policy.check';
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
    private readonly policy: IssuancePolicyCheck,
  ) {}

  /**
   * `charge`: the request's rate-limit charge, left to this method by the guard
   * (@DeferRateLimitCharge): folded into the link-target read, or, with an Idempotency-Key, made
   * first on its own, so a replay is never served past a spent budget.
   */
  issue(
    scope: TenantScope,
    dto: CreateLoginLinkDto,
    ctx: RequestContext,
    idempotencyKey?: string,
    charge?: DeferredCharge,
  ): Promise<LoginLinkDto> {
    return idempotencyKey === undefined
      ? this.issueOnce(scope, dto, ctx, undefined, charge?.asPrelude())
      : this.issueIdempotent(scope, dto, ctx, idempotencyKey, charge);
  }

  private async issueIdempotent(
    scope: TenantScope,
    dto: CreateLoginLinkDto,
    ctx: RequestContext,
    idempotencyKey: string,
    charge: DeferredCharge | undefined,
  ): Promise<LoginLinkDto> {
    await charge?.chargeNow();
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
    prelude?: StatementPrelude,
  ): Promise<LoginLinkDto> {
    const target = await this.targets.resolve(scope, dto.connection, prelude);
    const request: MintRequest = {
      subject: subjectOf(dto),
      targetUri: dto.target_uri,
      sessionLifetime: dto.session_lifetime,
    };
    target.provider.prepare(target.context, request);
    const delivery = dto.delivery ?? 'direct';
    const launchTtl = delivery === 'launch' ? this.launchTtlSeconds(target, dto.expires_in) : undefined;
    // The connection's issuance policy, before any upstream call or link record (docs/links.md#issuance-policy).
    await this.policy.enforce({ target, request, delivery, reason: dto.reason, ctx });
    const issue: Issue = { target, dto, request, ctx, claim };
    return launchTtl !== undefined ? this.issueLaunch(issue, launchTtl) : this.issueDirect(issue);
  }

  /**
   * The request's expires_in, else the connection's launch_expires_in, else LAUNCH_LINK_TTL_SECONDS;
   * under the tenant's max_launch_expires_in: a request asking for more is refused (the portal
   * asked for something it may not have), a longer default is shortened to the ceiling (an admin
   * lowering the tenant's ceiling must not break the portals that rely on the defaults).
   */
  private launchTtlSeconds(target: LinkTarget, requested: number | undefined): number {
    const ceiling = target.maxLaunchExpiresIn;
    if (requested !== undefined) {
      if (ceiling !== null && requested > ceiling) {
        throw new LinksException(
          400,
          LinksExceptionCode.LAUNCH_EXPIRY_TOO_LONG,
          `expires_in may be at most ${ceiling} seconds for this tenant.`,
          { errors: [{ field: 'expires_in', message: `expires_in must not be greater than ${ceiling}` }] },
        );
      }
      return requested;
    }
    const brokerDefault: number = this.config.getOrThrow('LAUNCH_LINK_TTL_SECONDS', { infer: true });
    const fallback = target.launchExpiresIn ?? brokerDefault;
    return ceiling === null ? fallback : Math.min(fallback, ceiling);
  }

  private async issueDirect(issue: Issue): Promise<LoginLinkDto> {
    const action = await this.minter.mint({
      target: issue.target,
      request: issue.request,
      delivery: 'direct',
      ctx: issue.ctx,
      reason: issue.dto.reason,
    });
    const answer = this.answer(issue.target, randomUUID(), 'direct', action, action.upstreamExpiresAt);
    const fingerprint = this.audit.fingerprint(action.upstreamToken);
    await this.commit(issue, answer, { tokenHash: null, tokenFingerprint: fingerprint });
    return answer;
  }

  private async issueLaunch(issue: Issue, ttlSeconds: number): Promise<LoginLinkDto> {
    const token = newLaunchToken();
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
    const url = `${this.config.getOrThrow('PUBLIC_BASE_URL', { infer: true })}/l/${token.opaque}`;
    const answer = this.answer(issue.target, randomUUID(), 'launch', { method: 'GET', url }, expiresAt);
    await this.commit(issue, answer, { tokenHash: token.hash, tokenFingerprint: null });
    return answer;
  }

  /**
   * The link record, its audit event and, with an Idempotency-Key, the sealed answer are one
   * autocommit statement (no answer before all are committed; any failure: no link, 503), so the
   * tenant's chain head is locked for that one statement, shared with the tenant's other pending
   * links (docs/architecture.md#audit-group-commit).
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
      metadata: {
        delivery: answer.delivery,
        expires_at: answer.expires_at,
        ...(issue.dto.reason === undefined ? {} : { reason: issue.dto.reason }),
      },
    };
    const record = this.links.recordOf({
      delivery: answer.delivery,
      subject: issue.request.subject,
      targetUri: issue.request.targetUri ?? null,
      sessionLifetime: issue.request.sessionLifetime ?? null,
      tokenHash: token.tokenHash,
      expiresAt: answer.expires_at,
    });
    const companions = issue.claim ? [record, this.idempotency.completionOf(issue.claim, answer)] : [record];
    try {
      await this.audit.record(this.dataSource.manager, event, companions);
    } catch (error) {
      throw isBrokerException(error) ? error : new AuditUnavailableException(error);
    }
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
      // Undefined, so absent from the JSON, for a GET link (a conditional spread: ~6 µs per link in a profile).
      form: action.form && { action: action.form.action, fields: { ...action.form.fields } },
      expires_at: expiresAt.toISOString(),
    };
  }
}

/** The identifiers the portal gave, and only those (no key for one it left out). */
function subjectOf(dto: CreateLoginLinkDto): MintRequest['subject'] {
  const { login, user_id, external_id } = dto.user;
  const subject: MintRequest['subject'] = {};
  if (login !== undefined) subject.login = login;
  if (user_id !== undefined) subject.user_id = user_id;
  if (external_id !== undefined) subject.external_id = external_id;
  return subject;
}
