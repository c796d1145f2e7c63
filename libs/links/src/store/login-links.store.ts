import { type CompanionWrite, fromEvent } from '@app/audit';
import { issueTenantScope, type TenantScope } from '@app/common';
import type { LoginSubject } from '@app/providers';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

export type LinkDelivery = 'direct' | 'launch';

/**
 * A link record as the issuing request decided it, beside its `login_link.issued` event: the
 * record's id, tenant, connection, provider and token fingerprint are read from that event.
 */
export interface NewLinkRecord {
  delivery: LinkDelivery;
  subject: LoginSubject;
  targetUri: string | null;
  sessionLifetime: number | null;
  /** SHA-256 of a launch link's opaque token; null for direct links (nothing to redeem). */
  tokenHash: Buffer | null;
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

export type RejectedLink = StoredLink & { redeemedAt: Date | null; revokedAt: Date | null };

export type LinkStatus = 'issued' | 'redeemed' | 'expired' | 'revoked';

/** What GET /v1/login-links/{id} shows: never the token, its hash or the URL. */
export interface LinkRecord {
  id: string;
  tenantId: string;
  connectionId: string;
  provider: string;
  delivery: LinkDelivery;
  subject: LoginSubject;
  status: LinkStatus;
  createdAt: Date;
  expiresAt: Date;
  redeemedAt: Date | null;
  revokedAt: Date | null;
}

/** What the continue page of a launch link needs, read without claiming anything. */
export type LaunchView =
  | { state: 'gone' }
  | {
      state: 'live';
      provider: string;
      tenantName: string;
      tenantActive: boolean;
      /** Null when the connection was deleted since the link was issued. */
      connection: { baseUrl: string; launchConfirmation: string } | null;
    };

/** Filters of a bulk revocation; absent ones match every link. */
export interface RevocationFilter {
  connectionId?: string;
  subject?: LoginSubject;
}

interface LinkRow {
  id: string;
  tenant_id: string;
  connection_id: string;
  provider: string;
  subject: LoginSubject;
  target_uri: string | null;
  session_lifetime: number | null;
  redeemed_at?: Date | null;
  revoked_at?: Date | null;
}

interface RecordRow {
  id: string;
  tenant_id: string;
  connection_id: string;
  provider: string;
  delivery: LinkDelivery;
  subject: LoginSubject;
  status: LinkStatus;
  created_at: Date;
  expires_at: Date;
  redeemed_at: Date | null;
  revoked_at: Date | null;
}

const LINK_COLUMNS = 'id, tenant_id, connection_id, provider, subject, target_uri, session_lifetime';

// One statement decides the race: across any number of broker instances exactly one request
// sees the row with redeemed_at still NULL. (Wrapped in a SELECT: TypeORM's query() answers a
// bare UPDATE with [rows, count].)
const CLAIM_SQL = `
  WITH claimed AS (
    UPDATE login_links SET redeemed_at = now()
     WHERE token_hash = $1 AND delivery = 'launch' AND redeemed_at IS NULL AND revoked_at IS NULL
       AND expires_at > now()
    RETURNING ${LINK_COLUMNS}
  ) SELECT * FROM claimed`;

// A link's status, computed with the database clock like the claim's expiry check.
const RECORD_COLUMNS = `id, tenant_id, connection_id, provider, delivery, subject, created_at, expires_at, redeemed_at,
  revoked_at, CASE WHEN revoked_at IS NOT NULL THEN 'revoked' WHEN redeemed_at IS NOT NULL THEN 'redeemed'
                   WHEN expires_at <= now() THEN 'expired' ELSE 'issued' END AS status`;

// The launch link a token names, with its tenant's name and status and its connection's
// confirmation mode: one read, no write (a scanner's GET must change nothing).
const LAUNCH_VIEW_SQL = `
  SELECT l.provider, t.name AS tenant_name, t.status AS tenant_status, c.base_url, c.launch_confirmation
    FROM login_links l
    JOIN tenants t ON t.id = l.tenant_id
    LEFT JOIN connections c ON c.id = l.connection_id AND c.tenant_id = l.tenant_id
   WHERE l.token_hash = $1 AND l.delivery = 'launch' AND l.redeemed_at IS NULL AND l.revoked_at IS NULL
     AND l.expires_at > now()`;

// Every outstanding launch link of a tenant that matches the filters (NULL: any).
const REVOKE_OUTSTANDING_SQL = `
  WITH revoked AS (
    UPDATE login_links SET revoked_at = now()
     WHERE tenant_id = $1 AND delivery = 'launch' AND redeemed_at IS NULL AND revoked_at IS NULL
       AND expires_at > now()
       AND ($2::uuid IS NULL OR connection_id = $2::uuid)
       AND ($3::text IS NULL OR lower(subject->>'login') = lower($3::text))
       AND ($4::text IS NULL OR lower(subject->>'user_id') = lower($4::text))
       AND ($5::text IS NULL OR subject->>'external_id' = $5::text)
    RETURNING 1
  ) SELECT count(*)::int AS n FROM revoked`;

// SKIP LOCKED: instances purging at the same moment share the work instead of waiting on each other.
const PURGE_SQL = `
  WITH doomed AS (
    SELECT id FROM login_links WHERE expires_at < now() - make_interval(hours => $1::int)
    ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED
  ), deleted AS (
    DELETE FROM login_links l USING doomed WHERE l.id = doomed.id RETURNING 1
  ) SELECT count(*)::int AS n FROM deleted`;

/**
 * The companion write of an issued link's record, with its event's link id, tenant, connection,
 * provider and token fingerprint: the record and its event cannot disagree on them. A function of
 * its own so that `npm run bench:sql` measures exactly this row.
 */
export function linkRecordOf(link: NewLinkRecord): CompanionWrite {
  return {
    kind: 'insert',
    table: 'login_links',
    columns: [
      ['id', 'uuid', fromEvent('link_id')],
      ['tenant_id', 'uuid', fromEvent('tenant_id')],
      ['connection_id', 'uuid', fromEvent('connection_id')],
      ['provider', 'text', fromEvent('provider')],
      ['delivery', 'text', link.delivery],
      ['subject', 'jsonb', JSON.stringify(link.subject)],
      ['target_uri', 'text', link.targetUri],
      ['session_lifetime', 'integer', link.sessionLifetime],
      ['token_hash', 'bytea', link.tokenHash],
      ['token_fingerprint', 'text', fromEvent('token_fingerprint')],
      ['expires_at', 'timestamptz', link.expiresAt],
    ],
  };
}

/**
 * The only code that reads or writes `login_links`. Raw SQL: the claim is one conditional
 * UPDATE whose atomicity is the single-use guarantee, and the record of an issued link is written
 * by the audit append's statement (docs/architecture.md#raw-sql-or-typeorm). A launch token
 * names no tenant; the row it finds does, so this store is where a redemption's scope comes from.
 */
@Injectable()
export class LoginLinksStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The record of an issued link, written by the statement that appends its `login_link.issued`
   * event (linkRecordOf).
   */
  recordOf(link: NewLinkRecord): CompanionWrite {
    return linkRecordOf(link);
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

  /** The link a token names whatever its state, to tell "used" from "revoked", "expired" and "unknown". */
  async findByToken(tokenHash: Buffer): Promise<RejectedLink | undefined> {
    const [row] = await this.dataSource.query<LinkRow[]>(
      `SELECT ${LINK_COLUMNS}, redeemed_at, revoked_at FROM login_links WHERE token_hash = $1`,
      [tokenHash],
    );
    return row === undefined
      ? undefined
      : { ...toStoredLink(row), redeemedAt: row.redeemed_at ?? null, revokedAt: row.revoked_at ?? null };
  }

  /** GET /l/{opaque}: the live launch link a token names, for its page; nothing is written. */
  async findLaunchView(tokenHash: Buffer): Promise<LaunchView> {
    const [row] = await this.dataSource.query<
      Array<{
        provider: string;
        tenant_name: string;
        tenant_status: string;
        base_url: string | null;
        launch_confirmation: string | null;
      }>
    >(LAUNCH_VIEW_SQL, [tokenHash]);
    if (row === undefined) return { state: 'gone' };
    return {
      state: 'live',
      provider: row.provider,
      tenantName: row.tenant_name,
      tenantActive: row.tenant_status === 'active',
      connection:
        row.base_url === null ? null : { baseUrl: row.base_url, launchConfirmation: row.launch_confirmation ?? 'auto' },
    };
  }

  /** One link of the tenant with its status; `tx` + `lock` to decide a revocation on it. */
  async find(
    scope: TenantScope,
    linkId: string,
    tx: EntityManager = this.dataSource.manager,
    lock = false,
  ): Promise<LinkRecord | undefined> {
    const [row] = await tx.query<RecordRow[]>(
      `SELECT ${RECORD_COLUMNS} FROM login_links WHERE id = $1 AND tenant_id = $2${lock ? ' FOR UPDATE' : ''}`,
      [linkId, scope.tenantId],
    );
    return row === undefined ? undefined : toRecord(row);
  }

  /** Marks one outstanding launch link revoked, inside the caller's transaction (with its event). */
  async markRevoked(scope: TenantScope, linkId: string, tx: EntityManager): Promise<LinkRecord> {
    const [row] = await tx.query<RecordRow[]>(
      `WITH revoked AS (
         UPDATE login_links SET revoked_at = now() WHERE id = $1 AND tenant_id = $2 RETURNING *
       ) SELECT ${RECORD_COLUMNS} FROM revoked`,
      [linkId, scope.tenantId],
    );
    return toRecord(row);
  }

  /** Revokes every outstanding launch link of the tenant matching `filter`; how many. */
  async revokeOutstanding(scope: TenantScope, filter: RevocationFilter, tx: EntityManager): Promise<number> {
    const [{ n }] = await tx.query<Array<{ n: number }>>(REVOKE_OUTSTANDING_SQL, [
      scope.tenantId,
      filter.connectionId ?? null,
      filter.subject?.login ?? null,
      filter.subject?.user_id ?? null,
      filter.subject?.external_id ?? null,
    ]);
    return n;
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

function toRecord(row: RecordRow): LinkRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    connectionId: row.connection_id,
    provider: row.provider,
    delivery: row.delivery,
    subject: row.subject,
    status: row.status,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    redeemedAt: row.redeemed_at,
    revokedAt: row.revoked_at,
  };
}
