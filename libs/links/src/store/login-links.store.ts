import type { CompanionWrite } from '@app/audit';
import { issueTenantScope, type TenantScope } from '@app/common';
import type { LoginSubject } from '@app/providers';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export type LinkDelivery = 'direct' | 'launch';

/** A link record as the issuing request decided it. */
export interface NewLinkRecord {
  id: string;
  connectionId: string;
  provider: string;
  delivery: LinkDelivery;
  subject: LoginSubject;
  targetUri: string | null;
  sessionLifetime: number | null;
  /** SHA-256 of a launch link's opaque token; null for direct links (nothing to redeem). */
  tokenHash: Buffer | null;
  tokenFingerprint: string | null;
  expiresAt: string;
}

/** A stored link, with the scope of its tenant: the presented token vouched for it. */
export interface StoredLink {
  scope: TenantScope;
  id: string;
  connectionId: string;
  provider: string;
  subject: LoginSubject;
  targetUri: string | null;
  sessionLifetime: number | null;
}

export type RejectedLink = StoredLink & { redeemedAt: Date | null };

interface LinkRow {
  id: string;
  tenant_id: string;
  connection_id: string;
  provider: string;
  subject: LoginSubject;
  target_uri: string | null;
  session_lifetime: number | null;
  redeemed_at?: Date | null;
}

const LINK_COLUMNS = 'id, tenant_id, connection_id, provider, subject, target_uri, session_lifetime';

// One statement decides the race: across any number of broker instances exactly one request
// sees the row with redeemed_at still NULL. (Wrapped in a SELECT: TypeORM's query() answers a
// bare UPDATE with [rows, count].)
const CLAIM_SQL = `
  WITH claimed AS (
    UPDATE login_links SET redeemed_at = now()
     WHERE token_hash = $1 AND delivery = 'launch' AND redeemed_at IS NULL AND expires_at > now()
    RETURNING ${LINK_COLUMNS}
  ) SELECT * FROM claimed`;

// SKIP LOCKED: instances purging at the same moment share the work instead of waiting on each other.
const PURGE_SQL = `
  WITH doomed AS (
    SELECT id FROM login_links WHERE expires_at < now() - make_interval(hours => $1::int)
    ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED
  ), deleted AS (
    DELETE FROM login_links l USING doomed WHERE l.id = doomed.id RETURNING 1
  ) SELECT count(*)::int AS n FROM deleted`;

/**
 * The only code that reads or writes `login_links`. Raw SQL: the claim is one conditional
 * UPDATE whose atomicity is the single-use guarantee, and the record of an issued link is written
 * by the audit append's statement (docs/architecture.md#raw-sql-or-typeorm). A launch token
 * names no tenant; the row it finds does, so this store is where a redemption's scope comes from.
 */
@Injectable()
export class LoginLinksStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The record of an issued link, written by the statement that appends its audit event. */
  recordOf(scope: TenantScope, link: NewLinkRecord): CompanionWrite {
    return {
      kind: 'insert',
      table: 'login_links',
      columns: [
        ['id', 'uuid', link.id],
        ['tenant_id', 'uuid', scope.tenantId],
        ['connection_id', 'uuid', link.connectionId],
        ['provider', 'text', link.provider],
        ['delivery', 'text', link.delivery],
        ['subject', 'jsonb', JSON.stringify(link.subject)],
        ['target_uri', 'text', link.targetUri],
        ['session_lifetime', 'integer', link.sessionLifetime],
        ['token_hash', 'bytea', link.tokenHash],
        ['token_fingerprint', 'text', link.tokenFingerprint],
        ['expires_at', 'timestamptz', link.expiresAt],
      ],
    };
  }

  /** The fingerprint of the upstream token a redemption minted, written with its audit event. */
  fingerprintOf(scope: TenantScope, linkId: string, fingerprint: string): CompanionWrite {
    return {
      kind: 'update',
      table: 'login_links',
      set: [['token_fingerprint', 'text', fingerprint]],
      where: [
        ['id', 'uuid', linkId],
        ['tenant_id', 'uuid', scope.tenantId],
      ],
    };
  }

  /** Marks an unexpired, unredeemed launch link redeemed; undefined when no such link is left. */
  async claim(tokenHash: Buffer): Promise<StoredLink | undefined> {
    const [row] = await this.dataSource.query<LinkRow[]>(CLAIM_SQL, [tokenHash]);
    return row === undefined ? undefined : toStoredLink(row);
  }

  /** Gives a claim back when nothing reached the browser, so the user can retry the same link. */
  async unclaim(scope: TenantScope, linkId: string): Promise<void> {
    await this.dataSource.query(`UPDATE login_links SET redeemed_at = NULL WHERE id = $1 AND tenant_id = $2`, [
      linkId,
      scope.tenantId,
    ]);
  }

  /** The link a token names whatever its state, to tell "used" from "expired" from "unknown". */
  async findByToken(tokenHash: Buffer): Promise<RejectedLink | undefined> {
    const [row] = await this.dataSource.query<LinkRow[]>(
      `SELECT ${LINK_COLUMNS}, redeemed_at FROM login_links WHERE token_hash = $1`,
      [tokenHash],
    );
    return row === undefined ? undefined : { ...toStoredLink(row), redeemedAt: row.redeemed_at ?? null };
  }

  /** Every tenant: one batch of records expired more than `retentionHours` ago; how many went. */
  async purgeExpiredOfAllTenants(retentionHours: number, batchSize: number): Promise<number> {
    const [{ n }] = await this.dataSource.query<Array<{ n: number }>>(PURGE_SQL, [retentionHours, batchSize]);
    return n;
  }
}

function toStoredLink(row: LinkRow): StoredLink {
  return {
    scope: issueTenantScope(row.tenant_id),
    id: row.id,
    connectionId: row.connection_id,
    provider: row.provider,
    subject: row.subject,
    targetUri: row.target_uri,
    sessionLifetime: row.session_lifetime,
  };
}
