import { AuditRecordInput, AuditService, AuditUnavailableException, CompanionInsert } from '@app/audit';
import { BrokerException, RequestContext } from '@app/common';
import type { Environment } from '@app/config';
import { BrowserAction, MintRequest } from '@app/providers';
import { tenantNotFound } from '@app/tenants';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CreateLoginLinkDto } from './dto/create-login-link.dto';
import { LoginLinkDto } from './dto/login-link.dto';
import { IdempotencyClaim, IdempotencyStore } from './idempotency/idempotency.store';
import { requestHash } from './idempotency/request-hash';
import { newLaunchToken } from './launch/launch-token';
import { LinkMinter } from './link-minter';
import { LinkTarget, LinkTargetResolver } from './link-target.resolver';
import { LinksException, LinksExceptionCode } from './links.exception';
import { LinksMetrics } from './links.metrics';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{16,255}$/;

interface Issue {
  target: LinkTarget;
  dto: CreateLoginLinkDto;
  request: MintRequest;
  ctx: RequestContext;
  claim?: IdempotencyClaim;
}

/**
 * POST /v1/login-links. BRIEF §3.1: the answer leaves only after the link record, its audit
 * event and (with an Idempotency-Key) the replayable answer are committed together.
 */
@Injectable()
export class LoginLinksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly targets: LinkTargetResolver,
    private readonly minter: LinkMinter,
    private readonly idempotency: IdempotencyStore,
    private readonly audit: AuditService,
    private readonly metrics: LinksMetrics,
    private readonly config: ConfigService<Environment, true>,
  ) {}

  async issue(dto: CreateLoginLinkDto, ctx: RequestContext, idempotencyKey?: string): Promise<LoginLinkDto> {
    const tenantId = this.tenantOf(dto, ctx);
    if (idempotencyKey === undefined) return this.issueOnce(tenantId, dto, ctx);
    if (!IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new LinksException(
        400,
        LinksExceptionCode.INVALID_IDEMPOTENCY_KEY,
        'Idempotency-Key must be 16 to 255 visible ASCII characters (a UUID works).',
      );
    }
    const start = await this.idempotency.begin<LoginLinkDto>(tenantId, idempotencyKey, requestHash({ tenantId, dto }));
    if ('replay' in start) return start.replay;
    try {
      return await this.issueOnce(tenantId, dto, ctx, start.claim);
    } catch (error) {
      await this.idempotency.release(start.claim);
      throw error;
    }
  }

  private async issueOnce(
    tenantId: string,
    dto: CreateLoginLinkDto,
    ctx: RequestContext,
    claim?: IdempotencyClaim,
  ): Promise<LoginLinkDto> {
    const target = await this.targets.resolve(tenantId, dto.connection);
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
   * The link record and its audit event are one statement (BRIEF §3.1: no answer before both are
   * committed; any failure: no link, 503). Without an Idempotency-Key it runs in autocommit, so the
   * tenant's chain head is locked for that one statement; with one, the idempotent answer joins
   * them in a transaction.
   */
  private async commit(issue: Issue, answer: LoginLinkDto, token: LinkToken): Promise<void> {
    const event: AuditRecordInput = {
      action: 'login_link.issued',
      outcome: 'success',
      tenantId: issue.target.tenantId,
      ctx: issue.ctx,
      connectionId: issue.target.connectionId,
      provider: issue.target.providerKind,
      subject: issue.request.subject,
      linkId: answer.id,
      tokenFingerprint: token.tokenFingerprint,
      metadata: { delivery: answer.delivery, expires_at: answer.expires_at },
    };
    const link = linkInsert(issue, answer, token);
    const claim = issue.claim;
    const write = claim
      ? this.dataSource.transaction(async (manager) => {
          await this.audit.recordWith(manager, event, link);
          await this.idempotency.complete(manager, claim, answer);
        })
      : this.audit.recordWith(this.dataSource.manager, event, link);
    await write.catch((error: unknown) => {
      throw error instanceof BrokerException ? error : new AuditUnavailableException(error);
    });
    this.metrics.count(issue.target.providerKind, answer.delivery, 'issued');
  }

  /** A portal key is bound to its tenant; an admin key must say which tenant (BRIEF §5). */
  private tenantOf(dto: CreateLoginLinkDto, ctx: RequestContext): string {
    const principalTenant = ctx.principal?.tenantId ?? null;
    if (principalTenant !== null) {
      // Same answer as for an unknown tenant: a portal key must not learn that another tenant exists.
      if (dto.tenant_id !== undefined && dto.tenant_id.toLowerCase() !== principalTenant) throw tenantNotFound();
      return principalTenant;
    }
    if (dto.tenant_id === undefined) {
      throw new LinksException(
        400,
        LinksExceptionCode.TENANT_ID_REQUIRED,
        'An admin key must name tenant_id in the body.',
        {
          errors: [{ field: 'tenant_id', message: 'tenant_id is required for admin keys' }],
        },
      );
    }
    return dto.tenant_id.toLowerCase();
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
      tenant_id: target.tenantId,
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

interface LinkToken {
  tokenHash: Buffer | null;
  tokenFingerprint: string | null;
}

/** The login_links row, written only if its login_link.issued event is (see CompanionInsert). */
function linkInsert(issue: Issue, answer: LoginLinkDto, token: LinkToken): CompanionInsert {
  return {
    sql: `INSERT INTO login_links (id, tenant_id, connection_id, provider, delivery, subject, target_uri, session_lifetime, token_hash, token_fingerprint, expires_at)
      SELECT $1::uuid, $2::uuid, $3::uuid, $4::text, $5::text, $6::jsonb, $7::text, $8::integer, $9::bytea, $10::text, $11::timestamptz FROM appended`,
    params: [
      answer.id,
      issue.target.tenantId,
      issue.target.connectionId,
      issue.target.providerKind,
      answer.delivery,
      JSON.stringify(issue.request.subject),
      issue.request.targetUri ?? null,
      issue.request.sessionLifetime ?? null,
      token.tokenHash,
      token.tokenFingerprint,
      answer.expires_at,
    ],
  };
}

function subjectOf(dto: CreateLoginLinkDto): MintRequest['subject'] {
  const { login, user_id, external_id } = dto.user;
  return Object.fromEntries(Object.entries({ login, user_id, external_id }).filter(([, value]) => value !== undefined));
}
