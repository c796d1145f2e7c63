import { type ApiKeyRole, issueTenantScope, type TenantScope } from '@app/common';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

/** A live session with the key it acts for, as every request reads it. */
export interface LiveConsoleSession {
  id: string;
  keyId: string;
  keyName: string;
  role: ApiKeyRole;
  tenantId: string | null;
  /** The scope of the key's tenant (its audit chain), derived from the row; null: bound to none. */
  scope: TenantScope | null;
  expiresAt: Date;
}

/** The key a sign-in presents, with what decides whether it may open a session. */
export interface SignInCandidate {
  keyId: string;
  keyName: string;
  role: ApiKeyRole;
  tenantId: string | null;
  scope: TenantScope | null;
  tenantActive: boolean;
}

/**
 * The only code that reads or writes `console_sessions`. Raw SQL: the per-request check is one
 * UPDATE … FROM over the session, its key and its tenant, whose conditions are the point
 * (docs/architecture.md#raw-sql-or-typeorm).
 */
@Injectable()
export class ConsoleSessionsStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The key's name, role, tenant and whether that tenant is active (sign-in, after authentication). */
  async candidate(keyId: string): Promise<SignInCandidate | null> {
    const [row] = await this.dataSource.query<
      Array<{ id: string; name: string; role: ApiKeyRole; tenant_id: string | null; active: boolean }>
    >(
      `SELECT k.id, k.name, k.role, k.tenant_id, (k.tenant_id IS NULL OR t.status = 'active') AS active
         FROM api_keys k LEFT JOIN tenants t ON t.id = k.tenant_id
        WHERE k.id = $1`,
      [keyId],
    );
    if (row === undefined) return null;
    return {
      keyId: row.id,
      keyName: row.name,
      role: row.role,
      tenantId: row.tenant_id,
      scope: scopeOf(row.tenant_id),
      tenantActive: row.active,
    };
  }

  async insert(
    tokenHash: Buffer,
    keyId: string,
    maxHours: number,
    tx: EntityManager,
  ): Promise<{ id: string; expiresAt: Date }> {
    const [row] = await tx.query<Array<{ id: string; expires_at: Date }>>(
      `INSERT INTO console_sessions (token_hash, api_key_id, expires_at)
       VALUES ($1, $2, now() + make_interval(hours => $3))
       RETURNING id, expires_at`,
      [tokenHash, keyId, maxHours],
    );
    return { id: row.id, expiresAt: row.expires_at };
  }

  /**
   * The session a token names when it may still act, refreshing its idle clock, in one statement:
   * within its lifetime and idle timeout, its key neither revoked nor expired, and the key's tenant
   * (if any) active. Evaluated on every request with no cache, so a revocation or a suspension ends
   * the session on the next request, on every instance.
   */
  async touch(tokenHash: Buffer, idleMinutes: number): Promise<LiveConsoleSession | null> {
    const [row] = await this.dataSource.query<
      Array<{ id: string; key_id: string; name: string; role: ApiKeyRole; tenant_id: string | null; expires_at: Date }>
    >(
      // In a CTE: TypeORM answers an UPDATE with [rows, count], a SELECT with the rows.
      `WITH touched AS (
       UPDATE console_sessions s SET last_seen_at = now()
         FROM api_keys k LEFT JOIN tenants t ON t.id = k.tenant_id
        WHERE s.token_hash = $1 AND k.id = s.api_key_id
          AND s.expires_at > now() AND s.last_seen_at > now() - make_interval(mins => $2)
          AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
          AND (k.tenant_id IS NULL OR t.status = 'active')
       RETURNING s.id, k.id AS key_id, k.name, k.role, k.tenant_id, s.expires_at)
       SELECT * FROM touched`,
      [tokenHash, idleMinutes],
    );
    if (row === undefined) return null;
    return {
      id: row.id,
      keyId: row.key_id,
      keyName: row.name,
      role: row.role,
      tenantId: row.tenant_id,
      scope: scopeOf(row.tenant_id),
      expiresAt: row.expires_at,
    };
  }

  async delete(sessionId: string, tx: EntityManager): Promise<boolean> {
    const rows = await tx.query<unknown[]>(
      `WITH deleted AS (DELETE FROM console_sessions WHERE id = $1 RETURNING 1) SELECT 1 FROM deleted`,
      [sessionId],
    );
    return rows.length > 0;
  }

  /** Sessions past their lifetime or idle timeout, of every key (run at each sign-in; the table stays small). */
  async purgeEndedOfAllKeys(idleMinutes: number): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM console_sessions WHERE expires_at <= now() OR last_seen_at <= now() - make_interval(mins => $1)`,
      [idleMinutes],
    );
  }
}

function scopeOf(tenantId: string | null): TenantScope | null {
  return tenantId === null ? null : issueTenantScope(tenantId);
}
