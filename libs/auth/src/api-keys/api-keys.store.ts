import {
  type ApiKeyRole,
  isAllTenants,
  issueTenantScope,
  type PageQueryDto,
  type TenantScope,
  type TenantSelection,
} from '@app/common';
import { namedStatement, queryNamed } from '@app/database';
import { keysetByCreatedAt } from '@app/tenants';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { ApiKeyEntity } from './entities/api-key.entity';

export interface NewApiKey {
  name: string;
  role: ApiKeyRole;
  prefix: string;
  keyHash: Buffer;
  expiresAt: Date | null;
}

/**
 * The authenticator's lookup, a named statement: a busy key misses the cache once per
 * API_KEY_CACHE_TTL_MS, and TypeORM's findOneBy built, sent unnamed and hydrated it for ~0.6 ms of
 * the broker's CPU each time (docs/performance.md#seventh-pass).
 */
const KEY_BY_HASH = namedStatement(
  'api_key_by_hash',
  `SELECT id, name, role, tenant_id, prefix, expires_at, revoked_at, last_used_at, created_at
     FROM api_keys WHERE key_hash = $1`,
);

interface ApiKeyRow {
  id: string;
  name: string;
  role: ApiKeyRole;
  tenant_id: string | null;
  prefix: string;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  created_at: Date;
}

/** A stored key with the scope of the tenant it is bound to (null: bound to none). */
export type ScopedApiKey = ApiKeyEntity & { scope: TenantScope | null };

/**
 * The only code that reads or writes `api_keys`. A key is bound to one tenant or to none
 * (admin, global auditor), so its methods take the tenant a key is bound to, or a selection for
 * lists; lookups by hash and by id come before any tenant is known, so they return the key's
 * scope. Entity CRUD through TypeORM; set-wide statements (the admin-key lock and count, the
 * batched last-used update) as raw SQL (docs/architecture.md#raw-sql-or-typeorm).
 */
@Injectable()
export class ApiKeysStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  insert(binding: TenantScope | null, key: NewApiKey, tx: EntityManager): Promise<ApiKeyEntity> {
    return tx.save(tx.create(ApiKeyEntity, { ...key, tenantId: binding?.tenantId ?? null }));
  }

  list(selection: TenantSelection, page: PageQueryDto): Promise<ApiKeyEntity[]> {
    const query = this.dataSource.manager.createQueryBuilder(ApiKeyEntity, 'key');
    if (!isAllTenants(selection)) query.where('key.tenant_id = :tenantId', { tenantId: selection.tenantId });
    return keysetByCreatedAt(query, page).getMany();
  }

  async findById(keyId: string, tx: EntityManager): Promise<ScopedApiKey | null> {
    return withScope(await tx.findOneBy(ApiKeyEntity, { id: keyId }));
  }

  /** The key a presented secret hashes to, whatever its state (the authenticator decides). */
  async findByHash(keyHash: Buffer): Promise<ApiKeyEntity | null> {
    const [row] = await queryNamed<ApiKeyRow>(this.dataSource, KEY_BY_HASH, [keyHash]);
    if (row === undefined) return null;
    return Object.assign(new ApiKeyEntity(), {
      id: row.id,
      name: row.name,
      role: row.role,
      tenantId: row.tenant_id,
      prefix: row.prefix,
      expiresAt: row.expires_at,
      revokedAt: row.revoked_at,
      lastUsedAt: row.last_used_at,
      createdAt: row.created_at,
    });
  }

  existsByHash(keyHash: Buffer, tx: EntityManager): Promise<boolean> {
    return tx.existsBy(ApiKeyEntity, { keyHash });
  }

  /** Whether this hash is an admin key that still works (not revoked, not expired). */
  async isActiveAdminKey(keyHash: Buffer, tx: EntityManager): Promise<boolean> {
    const rows = await tx.query<unknown[]>(
      `SELECT 1 FROM api_keys WHERE key_hash = $1 AND role = 'admin' AND revoked_at IS NULL
          AND (expires_at IS NULL OR expires_at > now())`,
      [keyHash],
    );
    return rows.length > 0;
  }

  async markRevoked(keyId: string, tx: EntityManager): Promise<void> {
    await tx.update(ApiKeyEntity, { id: keyId }, { revokedAt: () => 'now()' });
  }

  /**
   * Serialises every change to the set of admin keys (bootstrap, revocation) across all broker
   * instances, for the rest of the caller's transaction. One lock for both keeps the rule
   * "there is always an active admin key" free of races and of row-lock deadlocks.
   */
  async lockAdminKeys(tx: EntityManager): Promise<void> {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['sso-broker:admin-keys']);
  }

  async countActiveAdminKeys(tx: EntityManager, exceptId?: string): Promise<number> {
    const rows = await tx.query<Array<{ count: string }>>(
      `SELECT count(*) AS count FROM api_keys
        WHERE role = 'admin' AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
          AND ($1::uuid IS NULL OR id <> $1::uuid)`,
      [exceptId ?? null],
    );
    return Number(rows[0].count);
  }

  /**
   * One batched UPDATE for many keys; it skips rows another instance refreshed less than
   * `resolutionSeconds` before the recorded use, so the write rate stays about one per key per minute.
   */
  async recordLastUsed(uses: Array<[keyId: string, usedAt: Date]>, resolutionSeconds: number): Promise<void> {
    const values = uses.map((_, i) => `($${2 * i + 1}::uuid, $${2 * i + 2}::timestamptz)`).join(', ');
    await this.dataSource.query(
      `UPDATE api_keys AS k SET last_used_at = v.used_at
         FROM (VALUES ${values}) AS v (id, used_at)
        WHERE k.id = v.id
          AND (k.last_used_at IS NULL OR k.last_used_at < v.used_at - make_interval(secs => $${2 * uses.length + 1}))`,
      [...uses.flatMap(([keyId, usedAt]) => [keyId, usedAt.toISOString()]), resolutionSeconds],
    );
  }
}

function withScope(key: ApiKeyEntity | null): ScopedApiKey | null {
  if (key === null) return null;
  return Object.assign(key, { scope: key.tenantId === null ? null : issueTenantScope(key.tenantId) });
}
