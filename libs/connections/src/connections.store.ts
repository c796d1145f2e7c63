import { isUuid, type PageQueryDto, type TenantScope } from '@app/common';
import { type NamedStatement, namedStatement, queryNamed, type StatementPrelude } from '@app/database';
import { keysetByCreatedAt } from '@app/tenants';
import type { AadVersion } from '@app/vault';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { ConnectionPolicy, LaunchConfirmation } from './dto/connection-policy.dto';
import { ConnectionEntity } from './entities/connection.entity';

/** A connection with its sealed credential, read together so the version and blob always match. */
export interface ConnectionWithSecretRow {
  id: string;
  tenant_id: string;
  name: string;
  provider: string;
  base_url: string;
  settings: Record<string, unknown>;
  launch_expires_in: number | null;
  policy: ConnectionPolicy;
  launch_confirmation: LaunchConfirmation;
  secret_version: number;
  aad_version: AadVersion;
  master_key_version: string;
  wrapped_key: Buffer;
  ciphertext: Buffer;
}

/**
 * The tenant's status, the connection (by id or by name) and its sealed credential: on every link's
 * path, so a named statement (docs/performance.md), planned once per connection instead of per link.
 */
function linkTargetSql(match: 'c.id' | 'c.name', prelude?: StatementPrelude): string {
  const head = prelude === undefined ? '' : `WITH ${prelude.ctes(2)}\n       `;
  const preludeResult = prelude === undefined ? '' : `${prelude.resultSql} AS prelude_result, `;
  return `${head}SELECT ${preludeResult}t.status AS tenant_status, t.name AS tenant_name, t.max_launch_expires_in AS tenant_max_launch_expires_in,
              c.id, c.tenant_id, c.name, c.provider, c.base_url, c.settings, c.launch_expires_in,
              c.policy, c.launch_confirmation, s.version AS secret_version, s.aad_version, s.master_key_version, s.wrapped_key, s.ciphertext
         FROM tenants t
         LEFT JOIN (connections c JOIN connection_secrets s ON s.connection_id = c.id AND s.tenant_id = c.tenant_id)
                ON c.tenant_id = t.id AND ${match} = $2
        WHERE t.id = $1`;
}
const LINK_TARGET_BY_ID = namedStatement('link_target_by_id', linkTargetSql('c.id'));
const LINK_TARGET_BY_NAME = namedStatement('link_target_by_name', linkTargetSql('c.name'));

/**
 * The link-target read with a prelude's CTEs at its head (memoised per match and prelude shape).
 * Exported for `npm run bench:sql` only; not part of the lib's surface (index.ts).
 */
const withPrelude = new Map<string, NamedStatement>();
export function linkTargetWithPrelude(match: 'c.id' | 'c.name', prelude: StatementPrelude): NamedStatement {
  const memoKey = `${match} ${prelude.key}`;
  let statement = withPrelude.get(memoKey);
  if (statement === undefined) {
    const label = match === 'c.id' ? 'link_target_by_id_p' : 'link_target_by_name_p';
    withPrelude.set(memoKey, (statement = namedStatement(label, linkTargetSql(match, prelude))));
  }
  return statement;
}

export type LinkTargetLookup =
  | { found: 'no_tenant' }
  | {
      found: 'tenant';
      /** The prelude's result, when one was given (its CTEs run even when the tenant is unknown, unread). */
      preludeResult?: unknown;
      tenantStatus: string;
      tenantName: string;
      tenantMaxLaunchExpiresIn: number | null;
      row: ConnectionWithSecretRow | undefined;
    };

/**
 * The only code that reads or writes `connections`, and the one read that joins a connection to
 * its tenant and its sealed credential (owned by @app/tenants and @app/vault). Entity CRUD
 * through TypeORM; the hot-path join as one raw statement (docs/architecture.md#raw-sql-or-typeorm).
 */
@Injectable()
export class ConnectionsStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(
    scope: TenantScope,
    connection: Omit<ConnectionEntity, 'tenantId' | 'createdAt' | 'updatedAt'>,
    tx: EntityManager,
  ): Promise<ConnectionEntity> {
    return tx.save(tx.create(ConnectionEntity, { ...connection, tenantId: scope.tenantId }));
  }

  list(scope: TenantScope, page: PageQueryDto, tx: EntityManager): Promise<ConnectionEntity[]> {
    const query = tx
      .createQueryBuilder(ConnectionEntity, 'conn')
      .where('conn.tenant_id = :tenantId', { tenantId: scope.tenantId });
    return keysetByCreatedAt(query, page).getMany();
  }

  find(scope: TenantScope, connectionId: string, tx: EntityManager): Promise<ConnectionEntity | null> {
    return tx.findOneBy(ConnectionEntity, { tenantId: scope.tenantId, id: connectionId });
  }

  lock(scope: TenantScope, connectionId: string, tx: EntityManager): Promise<ConnectionEntity | null> {
    return tx.findOne(ConnectionEntity, {
      where: { tenantId: scope.tenantId, id: connectionId },
      lock: { mode: 'pessimistic_write' },
    });
  }

  /** Saves a connection read through `lock` in the same transaction (so it is this tenant's). */
  save(scope: TenantScope, connection: ConnectionEntity, tx: EntityManager): Promise<ConnectionEntity> {
    if (connection.tenantId !== scope.tenantId) throw new Error('connection saved outside its tenant scope');
    return tx.save(connection);
  }

  /** The deleted connection's name and provider, or undefined when the tenant has no such connection. */
  async delete(
    scope: TenantScope,
    connectionId: string,
    tx: EntityManager,
  ): Promise<{ name: string; provider: string } | undefined> {
    const result = await tx
      .createQueryBuilder()
      .delete()
      .from(ConnectionEntity)
      .where('tenant_id = :tenantId AND id = :connectionId', { tenantId: scope.tenantId, connectionId })
      .returning(['name', 'provider'])
      .execute();
    return (result.raw as { name: string; provider: string }[])[0];
  }

  /**
   * The tenant's status, the connection (by id when UUID-shaped, names never are; else by name)
   * and its sealed credential in one round trip: the tenant row drives the query, so "no such
   * tenant", "no such connection" and the connection itself are told apart.
   */
  async findLinkTarget(scope: TenantScope, ref: string, prelude?: StatementPrelude): Promise<LinkTargetLookup> {
    const byId = isUuid(ref);
    const match = byId ? 'c.id' : 'c.name';
    const statement =
      prelude === undefined ? (byId ? LINK_TARGET_BY_ID : LINK_TARGET_BY_NAME) : linkTargetWithPrelude(match, prelude);
    const rows = await queryNamed<
      {
        prelude_result?: unknown;
        tenant_status: string;
        tenant_name: string;
        tenant_max_launch_expires_in: number | null;
      } & ({ id: null } | ConnectionWithSecretRow)
    >(this.dataSource, statement, [scope.tenantId, byId ? ref.toLowerCase() : ref, ...(prelude?.params ?? [])]);
    if (rows.length === 0) return { found: 'no_tenant' };
    // The row itself is handed on as the connection (its tenant_* columns ride along unread): an
    // object-rest copy of it was ~7 µs per link in a profile (docs/performance.md#tenth-pass).
    const [row] = rows;
    return {
      found: 'tenant',
      preludeResult: row.prelude_result,
      tenantStatus: row.tenant_status,
      tenantName: row.tenant_name,
      tenantMaxLaunchExpiresIn: row.tenant_max_launch_expires_in,
      row: row.id === null ? undefined : row,
    };
  }
}
