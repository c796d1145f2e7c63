import { hash, randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { pgErrorCode } from '@app/database';
import type { RequestContext } from '@app/common';
import type { AuditActorType } from './audit-action';
import { AuditUnavailableException } from './audit.exception';
import type { AuditRecordInput, RecordedAuditEvent } from './audit-record.input';
import { canonicalMetadataJson, cleanText } from './chain/event-normalise';
import { tenantIdOf } from './store/audit-chain';
import { AuditStore, type EventValues } from './store/audit.store';
import type { CompanionWrite } from './store/companion-write';

const SYSTEM_ACTOR = Symbol('audit.systemActor');
type SystemContext = RequestContext & { [SYSTEM_ACTOR]: string | null };

@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(private readonly store: AuditStore) {}

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
    return hash('sha256', token, 'hex').slice(0, 16);
  }

  systemContext(job: string | null = null): RequestContext {
    return AuditService.systemContext(job);
  }

  fingerprint(token: string): string {
    return AuditService.fingerprint(token);
  }

  /**
   * Appends one event to its chain in one statement. Inside a transaction (`tx`) the event
   * commits or rolls back with the caller's change; on the bare manager it commits on its own
   * (grouped with its chain's other pending events, docs/architecture.md#audit-group-commit).
   * The `companions` (other stores' writes, see CompanionWrite) are written by the same
   * statement, only if the event is. Any failure throws AuditUnavailableException (503), which
   * must propagate to roll back.
   */
  async record(
    tx: EntityManager,
    input: AuditRecordInput,
    companions: readonly CompanionWrite[] = [],
  ): Promise<RecordedAuditEvent> {
    try {
      const row = await this.store.append(randomUUID(), eventValues(input), tx, companions);
      return {
        id: row.id,
        tenantId: tenantIdOf(input.scope),
        seq: row.seq,
        occurredAt: row.occurred_at,
        hash: row.hash,
      };
    } catch (error) {
      this.logger.error(
        { pg_code: pgErrorCode(error), action: input.action, request_id: input.ctx.requestId },
        `audit write failed: ${(error as Error)?.message ?? 'unknown error'}`,
      );
      throw new AuditUnavailableException(error);
    }
  }
}

/** $2..$19 of appendEventSql, cleaned as the stored row will hold them. */
function eventValues(input: AuditRecordInput): EventValues {
  const actor = actorOf(input.ctx);
  return [
    tenantIdOf(input.scope),
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
    canonicalMetadataJson(input.metadata),
  ];
}

function actorOf(ctx: RequestContext): { type: AuditActorType; id: string | null; role: string | null } {
  if (SYSTEM_ACTOR in ctx) return { type: 'system', id: (ctx as SystemContext)[SYSTEM_ACTOR], role: null };
  if (ctx.principal) return { type: 'api_key', id: ctx.principal.keyId, role: ctx.principal.role };
  return { type: 'anonymous', id: null, role: null };
}
