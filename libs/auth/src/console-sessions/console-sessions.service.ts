import { AuditService, BROKER_CHAIN } from '@app/audit';
import type { Principal, RequestContext, TenantScope } from '@app/common';
import type { Environment } from '@app/config';
import { AuthFailureLimiter, RateLimitedException } from '@app/rate-limit';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ApiKeyAuthenticator } from '../api-keys/api-key.authenticator';
import { AuthException, AuthExceptionCode } from '../auth.exception';
import { csrfTokenOf, hashSessionToken, isWellFormedSessionToken, newSessionToken } from './console-session-token';
import { type LiveConsoleSession, ConsoleSessionsStore } from './console-sessions.store';
import type { ConsoleSessionDto } from './dto/console-session.dto';

/** A session opened by a sign-in: the cookie value (never stored) and the answer's body. */
export interface OpenedConsoleSession {
  token: string;
  maxAgeSeconds: number;
  body: ConsoleSessionDto;
}

/**
 * Web console sessions (docs/architecture.md#console-sessions). A person pastes an admin or
 * auditor key once; the key is authenticated exactly as a bearer key is (same lookup, same failure
 * budget per address) and exchanged for a session that acts as that key. Sign-in, sign-out and
 * every refused sign-in are audited.
 */
@Injectable()
export class ConsoleSessionsService {
  private readonly idleMinutes: number;
  private readonly maxHours: number;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: ConsoleSessionsStore,
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly failures: AuthFailureLimiter,
    private readonly audit: AuditService,
    config: ConfigService<Environment, true>,
  ) {
    this.idleMinutes = config.get('CONSOLE_SESSION_IDLE_MINUTES', { infer: true });
    this.maxHours = config.get('CONSOLE_SESSION_MAX_HOURS', { infer: true });
  }

  async signIn(apiKey: string, ctx: RequestContext): Promise<OpenedConsoleSession> {
    const ip = ctx.ip ?? '';
    const wait = this.failures.retryAfter(ip);
    if (wait > 0) throw new RateLimitedException(wait);
    let principal: Principal;
    try {
      principal = await this.authenticator.authenticate(apiKey, ip);
    } catch (error) {
      if (!(error instanceof AuthException || error instanceof RateLimitedException)) throw error;
      // The authenticator charged unknown and revoked keys to the address; a malformed one is
      // charged too here, since a sign-in form is where people (and scripts) paste guesses.
      if (error instanceof AuthException && error.code === AuthExceptionCode.MALFORMED_API_KEY)
        await this.failures.recordFailure(ip);
      await this.recordFailure(ctx, null, error instanceof AuthException ? error.code : 'rate_limited');
      throw error;
    }
    const key = await this.store.candidate(principal.keyId);
    if (key === null) throw new AuthException(401, AuthExceptionCode.INVALID_API_KEY, 'The API key is not valid.');
    const keyCtx: RequestContext = { ...ctx, principal };
    if (key.role === 'portal') {
      await this.recordFailure(keyCtx, key.scope, AuthExceptionCode.CONSOLE_ROLE_NOT_ALLOWED);
      throw new AuthException(
        403,
        AuthExceptionCode.CONSOLE_ROLE_NOT_ALLOWED,
        'Only admin and auditor keys can sign in to the console.',
      );
    }
    if (!key.tenantActive) {
      await this.recordFailure(keyCtx, key.scope, AuthExceptionCode.TENANT_SUSPENDED);
      throw new AuthException(403, AuthExceptionCode.TENANT_SUSPENDED, "The key's tenant is suspended.");
    }
    await this.store.purgeEndedOfAllKeys(this.idleMinutes);
    const token = newSessionToken();
    const session = await this.dataSource.transaction(async (tx) => {
      const inserted = await this.store.insert(hashSessionToken(token), key.keyId, this.maxHours, tx);
      await this.audit.record(tx, {
        action: 'console.signed_in',
        outcome: 'success',
        scope: key.scope ?? BROKER_CHAIN,
        ctx: keyCtx,
        metadata: { session_id: inserted.id, expires_at: inserted.expiresAt.toISOString() },
      });
      return inserted;
    });
    return {
      token,
      maxAgeSeconds: this.maxHours * 3600,
      body: this.describe(token, { ...key, id: session.id, expiresAt: session.expiresAt }),
    };
  }

  /** The live session a cookie names, or null (unknown, ended, or its key or tenant no longer allowed). */
  authenticate(token: string): Promise<LiveConsoleSession | null> {
    if (!isWellFormedSessionToken(token)) return Promise.resolve(null);
    return this.store.touch(hashSessionToken(token), this.idleMinutes);
  }

  describe(token: string, session: LiveConsoleSession): ConsoleSessionDto {
    return {
      key_id: session.keyId,
      key_name: session.keyName,
      role: session.role,
      tenant_id: session.tenantId,
      expires_at: session.expiresAt.toISOString(),
      idle_timeout_minutes: this.idleMinutes,
      csrf_token: csrfTokenOf(token),
    };
  }

  async signOut(session: LiveConsoleSession, ctx: RequestContext): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      if (!(await this.store.delete(session.id, tx))) return;
      await this.audit.record(tx, {
        action: 'console.signed_out',
        outcome: 'success',
        scope: session.scope ?? BROKER_CHAIN,
        ctx,
        metadata: { session_id: session.id },
      });
    });
  }

  /** On the key's tenant chain when the key is known and bound to one, else the broker-wide chain. */
  private async recordFailure(ctx: RequestContext, scope: TenantScope | null, reason: string): Promise<void> {
    await this.audit.record(this.dataSource.manager, {
      action: 'console.sign_in_failed',
      outcome: 'failure',
      scope: scope ?? BROKER_CHAIN,
      ctx,
      errorCode: reason,
    });
  }
}
