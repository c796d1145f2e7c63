import { createHash, randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { pgErrorCode } from '@app/database';
import type { RequestContext } from '@app/common';
import type { AuditActorType } from './audit-action';
import { AuditUnavailableException } from './audit.exception';
import type { AuditRecordInput, RecordedAuditEvent } from './audit-record.input';
import { appendEventSql, CompanionInsert, CREATE_HEAD_SQL } from './chain/append-event.sql';
import { canonicalJson } from './chain/canonical-event';
import { chainIdOf, GENESIS_HASH } from './chain/chained-event';
import { cleanMetadata, cleanText } from './chain/event-normalise';

const SYSTEM_ACTOR = Symbol('audit.systemActor');
type SystemContext = RequestContext & { [SYSTEM_ACTOR]: string | null };

@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  /** The actor of background work (no API key, no request). */
  static systemContext(job: string | null = null): RequestContext {
    const ctx: SystemContext = {
      requestId: randomUUID(),
      ip: null,
      userAgent: null,
      principal: null,
      [SYSTEM_ACTOR]: job,
    };
    return ctx;
  }

  /** The only form in which an upstream token is ever stored: the first 16 hex chars of its SHA-256. */
  static fingerprint(token: string): string {
    return createHash('sha256').update(token, 'utf8').digest('hex').slice(0, 16);
  }

  systemContext(job: string | null = null): RequestContext {
    return AuditService.systemContext(job);
  }

  fingerprint(token: string): string {
    return AuditService.fingerprint(token);
  }

  /**
   * Appends one event to its tenant's chain in one statement. Inside a transaction the event
   * commits or rolls back with the caller's change; without one it commits on its own.
   * Any failure throws AuditUnavailableException (503), which must propagate to roll back.
   */
  async record(manager: EntityManager, input: AuditRecordInput): Promise<RecordedAuditEvent> {
    return this.recordWith(manager, input);
  }

  /**
   * `record` plus a companion row written by the same statement, only if the event is: used in
   * autocommit, the change and its event are one implicit transaction and the chain head is
   * locked for a single statement and its commit.
   */
  async recordWith(
    manager: EntityManager,
    input: AuditRecordInput,
    companion?: CompanionInsert,
  ): Promise<RecordedAuditEvent> {
    try {
      const chainId = chainIdOf(input.tenantId);
      const sql = appendEventSql(companion);
      const params = [...this.eventParams(chainId, input), ...(companion?.params ?? [])];
      let rows = await manager.query<AppendedRow[]>(sql, params);
      if (rows.length === 0) {
        await manager.query(CREATE_HEAD_SQL, [chainId, GENESIS_HASH]);
        rows = await manager.query<AppendedRow[]>(sql, params);
      }
      const [row] = rows;
      if (row === undefined) throw new Error(`audit chain head ${chainId} missing after creation`);
      return { id: row.id, tenantId: input.tenantId, seq: row.seq, occurredAt: row.occurred_at, hash: row.hash };
    } catch (error) {
      this.logger.error(
        { pg_code: pgErrorCode(error), action: input.action, request_id: input.ctx.requestId },
        `audit write failed: ${(error as Error)?.message ?? 'unknown error'}`,
      );
      throw new AuditUnavailableException(error);
    }
  }

  /** $1..$20 of appendEventSql, cleaned as the stored row will hold them. */
  private eventParams(chainId: string, input: AuditRecordInput): unknown[] {
    const actor = actorOf(input.ctx);
    return [
      randomUUID(),
      chainId,
      input.tenantId,
      input.action,
      input.outcome,
      actor.type,
      cleanText(actor.id, 200),
      actor.role,
      cleanText(input.ctx.ip, 64),
      cleanText(input.ctx.userAgent, 512),
      cleanText(input.ctx.requestId || null, 200),
      cleanText(input.connectionId, 200),
      cleanText(input.provider, 64),
      cleanText(input.subject?.login, 512),
      cleanText(input.subject?.user_id, 512),
      cleanText(input.subject?.external_id, 512),
      cleanText(input.linkId, 200),
      cleanText(input.tokenFingerprint, 64),
      cleanText(input.errorCode, 128),
      canonicalJson(cleanMetadata(input.metadata)),
    ];
  }
}

interface AppendedRow {
  id: string;
  seq: string;
  occurred_at: Date;
  hash: string;
}

function actorOf(ctx: RequestContext): { type: AuditActorType; id: string | null; role: string | null } {
  if (SYSTEM_ACTOR in ctx) return { type: 'system', id: (ctx as SystemContext)[SYSTEM_ACTOR], role: null };
  if (ctx.principal) return { type: 'api_key', id: ctx.principal.keyId, role: ctx.principal.role };
  return { type: 'anonymous', id: null, role: null };
}
