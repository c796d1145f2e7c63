import type { TenantScope } from '@app/common';
import { pgErrorCode, PG_FOREIGN_KEY_VIOLATION } from '@app/database';
import { tenantNotFound } from '@app/tenants';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { CompanionWrite } from '@app/audit';
import { DataSource } from 'typeorm';
import { idempotencyKeyHash, openAnswer, sealAnswer } from '../idempotency/answer-seal';
import { LinksException, LinksExceptionCode } from '../links.exception';

export interface IdempotencyClaim {
  scope: TenantScope;
  key: string;
  keyHash: Buffer;
}

export type IdempotencyStart<T> = { replay: T } | { claim: IdempotencyClaim };

interface StoredRecord {
  request_hash: Buffer;
  state: 'pending' | 'done';
  sealed_answer: Buffer | null;
}

/** A claim outlives the slowest mint (upstream deadline) so a live request is never taken over. */
const CLAIM_SECONDS = 150;
const RETENTION_HOURS = 24;

// SKIP LOCKED: instances purging at the same moment share the work instead of waiting on each other.
const PURGE_SQL = `
  WITH doomed AS (
    SELECT tenant_id, key_hash FROM login_link_idempotency WHERE expires_at < now()
    ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED
  ), deleted AS (
    DELETE FROM login_link_idempotency r USING doomed
    WHERE r.tenant_id = doomed.tenant_id AND r.key_hash = doomed.key_hash RETURNING 1
  ) SELECT count(*)::int AS n FROM deleted`;

/**
 * The only code that reads or writes `login_link_idempotency`: Idempotency-Key records. The primary key decides races: of concurrent requests with one key,
 * exactly one inserts the pending record and mints; the others see it and get 409. A claim whose
 * request crashed is taken over once it times out; an upstream failure releases it so the portal
 * can retry with the same key.
 */
@Injectable()
export class IdempotencyStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async begin<T>(scope: TenantScope, key: string, request: Buffer): Promise<IdempotencyStart<T>> {
    const { tenantId } = scope;
    const keyHash = idempotencyKeyHash(key);
    const claimed = await this.dataSource
      .query<unknown[]>(
        `INSERT INTO login_link_idempotency AS r (tenant_id, key_hash, request_hash, locked_until, expires_at)
       VALUES ($1, $2, $3, now() + make_interval(secs => $4), now() + make_interval(hours => $5))
       ON CONFLICT (tenant_id, key_hash) DO UPDATE
         SET request_hash = EXCLUDED.request_hash, state = 'pending', sealed_answer = NULL,
             locked_until = EXCLUDED.locked_until, expires_at = EXCLUDED.expires_at, created_at = now()
         WHERE r.expires_at <= now()
            OR (r.state = 'pending' AND r.locked_until <= now() AND r.request_hash = EXCLUDED.request_hash)
       RETURNING 1`,
        [tenantId, keyHash, request, CLAIM_SECONDS, RETENTION_HOURS],
      )
      .catch((error: unknown) => {
        // An admin naming a tenant that does not exist: the foreign key answers before the link lookup would.
        throw pgErrorCode(error) === PG_FOREIGN_KEY_VIOLATION ? tenantNotFound() : error;
      });
    if (claimed.length === 1) return { claim: { scope, key, keyHash } };

    const [stored] = await this.dataSource.query<StoredRecord[]>(
      `SELECT request_hash, state, sealed_answer FROM login_link_idempotency WHERE tenant_id = $1 AND key_hash = $2`,
      [tenantId, keyHash],
    );
    if (stored !== undefined && !stored.request_hash.equals(request)) {
      throw new LinksException(
        422,
        LinksExceptionCode.IDEMPOTENCY_KEY_REUSED,
        'This Idempotency-Key was already used with a different request body; use a new key.',
      );
    }
    if (stored?.state === 'done' && stored.sealed_answer !== null) {
      return { replay: openAnswer<T>(key, tenantId, stored.sealed_answer) };
    }
    throw new LinksException(
      409,
      LinksExceptionCode.IDEMPOTENCY_IN_PROGRESS,
      'A request with this Idempotency-Key is still being processed; retry shortly.',
      { headers: { 'Retry-After': '1' } },
    );
  }

  /**
   * The claim's completion (state `done` and the sealed answer), written by the statement that
   * appends the link's audit event and its record: the answer is stored exactly when the link is.
   * A claim taken over meanwhile (no longer `pending`) is left alone.
   */
  completionOf(claim: IdempotencyClaim, answer: unknown): CompanionWrite {
    return {
      kind: 'update',
      table: 'login_link_idempotency',
      set: [
        ['state', 'text', 'done'],
        ['sealed_answer', 'bytea', sealAnswer(claim.key, claim.scope.tenantId, answer)],
      ],
      where: [
        ['tenant_id', 'uuid', claim.scope.tenantId],
        ['key_hash', 'bytea', claim.keyHash],
        ['state', 'text', 'pending'],
      ],
    };
  }

  async release(claim: IdempotencyClaim): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM login_link_idempotency WHERE tenant_id = $1 AND key_hash = $2 AND state = 'pending'`,
      [claim.scope.tenantId, claim.keyHash],
    );
  }

  /** Every tenant: one batch of replays whose window ended; how many went. */
  async purgeExpiredOfAllTenants(batchSize: number): Promise<number> {
    const [{ n }] = await this.dataSource.query<Array<{ n: number }>>(PURGE_SQL, [batchSize]);
    return n;
  }
}
