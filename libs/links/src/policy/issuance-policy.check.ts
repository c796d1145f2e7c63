import { AuditService } from '@app/audit';
import type { RequestContext } from '@app/common';
import type { MintRequest } from '@app/providers';
import { PostgresThrottlerStorage } from '@app/rate-limit';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { hash } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { LinkTarget } from '../link-target.resolver';
import { LinksException, LinksExceptionCode } from '../links.exception';
import { LinksMetrics } from '../links.metrics';
import type { LinkDelivery } from '../store/login-links.store';
import { subjectVerdict } from './issuance-policy';

const HOUR_MS = 3_600_000;

export interface PolicyCheck {
  target: LinkTarget;
  request: MintRequest;
  delivery: LinkDelivery;
  reason: string | undefined;
  ctx: RequestContext;
}

/**
 * Enforces a connection's issuance policy before any upstream call or link record
 * (docs/links.md#issuance-policy): `require_reason` (400 reason_required), the subject rules
 * (403 subject_not_allowed) and the per-subject hourly budget (429 subject_rate_limited). The two
 * refusals about the subject are audited as failed issuances, with the subject, so an auditor sees
 * who was asked for.
 */
@Injectable()
export class IssuancePolicyCheck {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly buckets: PostgresThrottlerStorage,
    private readonly metrics: LinksMetrics,
  ) {}

  async enforce(check: PolicyCheck): Promise<void> {
    const { policy } = check.target;
    if (policy.require_reason === true && check.reason === undefined) {
      throw new LinksException(
        400,
        LinksExceptionCode.REASON_REQUIRED,
        "This connection's policy requires a reason (1 to 500 characters, e.g. a ticket id).",
        { errors: [{ field: 'reason', message: 'reason is required by the connection policy' }] },
      );
    }
    const verdict = subjectVerdict(policy, check.request.subject);
    if (!verdict.allowed) {
      await this.refuse(
        check,
        new LinksException(
          403,
          LinksExceptionCode.SUBJECT_NOT_ALLOWED,
          "This connection's policy does not allow login links for this user.",
        ),
        { rule: verdict.rule },
      );
    }
    const perHour = policy.max_links_per_subject_per_hour;
    if (perHour !== undefined) {
      // One atomic upsert in the shared rate_limit_buckets table: exact across broker instances.
      // Like every rate limit it fails open when that table cannot be written; a database that
      // is down refuses the issuance anyway when the audit event cannot be written.
      const [bucket] = await this.buckets.chargeInOrder([
        { key: subjectBucketKey(check.target, check.request), ttl: HOUR_MS, limit: perHour, blockDuration: 0 },
      ]);
      if (bucket?.isBlocked) {
        const retryAfter = String(Math.max(1, bucket.timeToBlockExpire));
        await this.refuse(
          check,
          new LinksException(
            429,
            LinksExceptionCode.SUBJECT_RATE_LIMITED,
            `This user already got ${perHour} login link(s) through this connection within the hour; retry later.`,
            { headers: { 'Retry-After': retryAfter } },
          ),
          { limit_per_hour: perHour },
        );
      }
    }
  }

  private async refuse(check: PolicyCheck, error: LinksException, detail: Record<string, unknown>): Promise<never> {
    const { target, request, delivery, reason, ctx } = check;
    this.metrics.count(target.providerKind, delivery, 'refused');
    await this.audit.record(this.dataSource.manager, {
      action: 'login_link.failed',
      outcome: 'failure',
      scope: target.scope,
      ctx,
      connectionId: target.connectionId,
      provider: target.providerKind,
      subject: request.subject,
      errorCode: error.code,
      metadata: {
        delivery,
        stage: 'issue',
        status: error.status,
        ...detail,
        ...(reason === undefined ? {} : { reason }),
      },
    });
    throw error;
  }
}

/**
 * The bucket of one subject on one connection: a hash, so the login never becomes a key in the
 * rate-limit table. Identifiers are compared case-insensitively, as the policy matches them.
 */
export function subjectBucketKey(target: LinkTarget, request: MintRequest): string {
  const { login, user_id, external_id } = request.subject;
  const [kind, value] =
    login !== undefined
      ? ['login', login]
      : user_id !== undefined
        ? ['user_id', user_id]
        : ['external_id', external_id ?? ''];
  const digest = hash(
    'sha256',
    `${target.scope.tenantId}\0${target.connectionId}\0${kind}\0${value.toLowerCase()}`,
    'base64url',
  );
  return `subject:${digest}`;
}
