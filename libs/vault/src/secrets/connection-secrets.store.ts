import type { TenantScope } from '@app/common';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, type FindOptionsSelect, In } from 'typeorm';
import type { SealedSecret } from '../crypto/envelope-cipher';
import { ConnectionSecretEntity } from './connection-secret.entity';

/** What answers show of a credential: kind, version and time, never a blob. */
export type CredentialInfo = Pick<ConnectionSecretEntity, 'connectionId' | 'kind' | 'version' | 'updatedAt'>;

const INFO_COLUMNS: FindOptionsSelect<ConnectionSecretEntity> = {
  connectionId: true,
  kind: true,
  version: true,
  updatedAt: true,
};

/** A row the rewrap must re-seal; the ciphertext column is never read for it. */
export interface StaleSecretRow {
  connection_id: string;
  tenant_id: string;
  version: number;
  master_key_version: string;
  wrapped_key: Buffer;
}

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
   * Every tenant: the next rows after `afterConnectionId` not sealed under `currentVersion`,
   * locked for this transaction. SKIP LOCKED lets a concurrent rewrap (another instance) take
   * other rows instead of queueing behind this one.
   */
  lockStaleBatchOfAllTenants(
    currentVersion: string,
    afterConnectionId: string,
    limit: number,
    tx: EntityManager,
  ): Promise<StaleSecretRow[]> {
    return tx.query(
      `SELECT connection_id, tenant_id, version, master_key_version, wrapped_key
         FROM connection_secrets
        WHERE master_key_version <> $1 AND connection_id > $2
        ORDER BY connection_id
        LIMIT $3
        FOR UPDATE SKIP LOCKED`,
      [currentVersion, afterConnectionId, limit],
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

  /** Every tenant: how many secrets are, and are not, sealed under `version`. */
  async countByMasterKeyVersion(version: string): Promise<{ current: number; stale: number }> {
    const [row] = await this.dataSource.query<Array<{ current: number; stale: number }>>(
      `SELECT count(*) FILTER (WHERE master_key_version = $1)::int AS current,
              count(*) FILTER (WHERE master_key_version <> $1)::int AS stale
         FROM connection_secrets`,
      [version],
    );
    return row;
  }

  /** Every tenant: the master-key versions that seal at least one stored secret. */
  async masterKeyVersionsInUse(): Promise<string[]> {
    const rows = await this.dataSource.query<Array<{ version: string }>>(
      'SELECT DISTINCT master_key_version AS version FROM connection_secrets ORDER BY 1',
    );
    return rows.map((row) => row.version);
  }
}
