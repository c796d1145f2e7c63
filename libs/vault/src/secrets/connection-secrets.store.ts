import type { TenantScope } from '@app/common';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, type FindOptionsSelect, In } from 'typeorm';
import type { SealedSecret } from '../crypto/envelope-cipher';
import { type AadVersion, CURRENT_AAD_VERSION } from '../crypto/secret-binding';
import { ConnectionSecretEntity } from './connection-secret.entity';

/** What answers show of a credential: kind, version and time, never a blob. */
export type CredentialInfo = Pick<ConnectionSecretEntity, 'connectionId' | 'kind' | 'version' | 'updatedAt'>;

const INFO_COLUMNS: FindOptionsSelect<ConnectionSecretEntity> = {
  connectionId: true,
  kind: true,
  version: true,
  updatedAt: true,
};

/**
 * A row the rewrap must re-seal, with its connection's base_url (the origin its blobs are, or
 * will be, bound to). The ciphertext is read only for legacy rows, which are sealed afresh; a
 * master-key rewrap of a current row touches the wrapped key alone.
 */
export interface StaleSecretRow {
  connection_id: string;
  tenant_id: string;
  version: number;
  aad_version: AadVersion;
  master_key_version: string;
  wrapped_key: Buffer;
  ciphertext: Buffer | null;
  base_url: string;
}

/** Which rows a maintenance batch visits: any not fully current, or only legacy-layout ones. */
export type StaleSelection = 'stale' | 'legacy';

/**
 * The only code that reads or writes `connection_secrets`. Tenant-scoped methods for the
 * connections a tenant owns; the rewrap's maintenance methods walk every tenant and say so in
 * their names. Single-row writes use TypeORM's entity API, batch maintenance raw SQL
 * (docs/architecture.md#raw-sql-or-typeorm).
 */
@Injectable()
export class ConnectionSecretsStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Inserts or replaces the connection's sealed credential as secret version `version`. */
  async write(
    scope: TenantScope,
    connectionId: string,
    credential: { kind: string; version: number; sealed: SealedSecret },
    tx: EntityManager,
  ): Promise<CredentialInfo> {
    const row: ConnectionSecretEntity = {
      connectionId,
      tenantId: scope.tenantId,
      version: credential.version,
      kind: credential.kind,
      aadVersion: credential.sealed.aadVersion,
      masterKeyVersion: credential.sealed.masterKeyVersion,
      wrappedKey: credential.sealed.wrappedKey,
      ciphertext: credential.sealed.ciphertext,
      updatedAt: new Date(),
    };
    await tx.upsert(ConnectionSecretEntity, row, ['connectionId']);
    return { connectionId, kind: row.kind, version: row.version, updatedAt: row.updatedAt };
  }

  lockInfo(scope: TenantScope, connectionId: string, tx: EntityManager): Promise<CredentialInfo | null> {
    return tx.findOne(ConnectionSecretEntity, {
      select: INFO_COLUMNS,
      where: { tenantId: scope.tenantId, connectionId },
      lock: { mode: 'pessimistic_write' },
    });
  }

  async infoByConnection(
    scope: TenantScope,
    connectionIds: string[],
    tx: EntityManager = this.dataSource.manager,
  ): Promise<Map<string, CredentialInfo>> {
    if (connectionIds.length === 0) return new Map();
    const rows = await tx.find(ConnectionSecretEntity, {
      select: INFO_COLUMNS,
      where: { tenantId: scope.tenantId, connectionId: In(connectionIds) },
    });
    return new Map(rows.map((row) => [row.connectionId, row]));
  }

  /**
   * Every tenant: the next rows after `afterConnectionId` that are not under `currentVersion` or
   * not under the current associated-data layout (`stale`), or only the latter (`legacy`), each
   * with its connection's base_url. Both rows are locked for this transaction, so a concurrent
   * PATCH cannot move the connection to another origin between this read and the re-seal; SKIP
   * LOCKED lets a concurrent rewrap (another instance) or a PATCH in flight keep its rows while
   * this batch takes others.
   */
  lockStaleBatchOfAllTenants(
    selection: StaleSelection,
    currentVersion: string,
    afterConnectionId: string,
    limit: number,
    tx: EntityManager,
  ): Promise<StaleSecretRow[]> {
    // $1 is typed by its comparison in both forms (an unreferenced parameter has no type).
    const stale =
      selection === 'legacy'
        ? 's.aad_version < $4 AND $1::varchar IS NOT NULL'
        : '(s.aad_version < $4 OR s.master_key_version <> $1)';
    return tx.query(
      `SELECT s.connection_id, s.tenant_id, s.version, s.aad_version, s.master_key_version, s.wrapped_key,
              CASE WHEN s.aad_version < $4 THEN s.ciphertext END AS ciphertext, c.base_url
         FROM connection_secrets s
         JOIN connections c ON c.id = s.connection_id AND c.tenant_id = s.tenant_id
        WHERE ${stale} AND s.connection_id > $2
        ORDER BY s.connection_id
        LIMIT $3
        FOR UPDATE OF s, c SKIP LOCKED`,
      [currentVersion, afterConnectionId, limit, CURRENT_AAD_VERSION],
    );
  }

  /** One statement per batch: only the wrapped key and its version change, never the ciphertext. */
  async storeRewrapped(
    currentVersion: string,
    rows: { connectionId: string; wrappedKey: Buffer }[],
    tx: EntityManager,
  ): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      `UPDATE connection_secrets AS s
          SET wrapped_key = u.wrapped_key, master_key_version = $1
         FROM unnest($2::uuid[], $3::bytea[]) AS u(connection_id, wrapped_key)
        WHERE s.connection_id = u.connection_id`,
      [currentVersion, rows.map((row) => row.connectionId), rows.map((row) => row.wrappedKey)],
    );
  }

  /**
   * One statement per batch: legacy rows sealed afresh (both blobs, master key and layout change
   * together; the secret version and kind do not, it is the same credential).
   */
  async storeUpgraded(rows: { connectionId: string; sealed: SealedSecret }[], tx: EntityManager): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      `UPDATE connection_secrets AS s
          SET wrapped_key = u.wrapped_key, ciphertext = u.ciphertext,
              master_key_version = u.master_key_version, aad_version = u.aad_version
         FROM unnest($1::uuid[], $2::bytea[], $3::bytea[], $4::varchar[], $5::smallint[])
              AS u(connection_id, wrapped_key, ciphertext, master_key_version, aad_version)
        WHERE s.connection_id = u.connection_id`,
      [
        rows.map((row) => row.connectionId),
        rows.map((row) => row.sealed.wrappedKey),
        rows.map((row) => row.sealed.ciphertext),
        rows.map((row) => row.sealed.masterKeyVersion),
        rows.map((row) => row.sealed.aadVersion),
      ],
    );
  }

  /**
   * Every tenant: how many secrets are fully current (master key `version` and the current
   * associated-data layout), how many are not, and how many of those are legacy-layout rows.
   */
  async countCurrency(version: string): Promise<{ current: number; stale: number; legacy: number }> {
    const [row] = await this.dataSource.query<Array<{ current: number; stale: number; legacy: number }>>(
      `SELECT count(*) FILTER (WHERE master_key_version = $1 AND aad_version >= $2)::int AS current,
              count(*) FILTER (WHERE master_key_version <> $1 OR aad_version < $2)::int AS stale,
              count(*) FILTER (WHERE aad_version < $2)::int AS legacy
         FROM connection_secrets`,
      [version, CURRENT_AAD_VERSION],
    );
    return row;
  }

  /** Every tenant: whether any legacy-layout row is left (the partial index answers it). */
  async anyLegacyOfAllTenants(): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      'SELECT 1 FROM connection_secrets WHERE aad_version < $1 LIMIT 1',
      [CURRENT_AAD_VERSION],
    );
    return rows.length > 0;
  }

  /** Every tenant: the master-key versions that seal at least one stored secret. */
  async masterKeyVersionsInUse(): Promise<string[]> {
    const rows = await this.dataSource.query<Array<{ version: string }>>(
      'SELECT DISTINCT master_key_version AS version FROM connection_secrets ORDER BY 1',
    );
    return rows.map((row) => row.version);
  }
}
