import { AuditService, BROKER_CHAIN } from '@app/audit';
import {
  type ApiKeyRole,
  isAllTenants,
  type Page,
  type RequestContext,
  type TenantScope,
  type TenantSelection,
  toPage,
} from '@app/common';
import { pgConstraint, pgErrorCode, PG_FOREIGN_KEY_VIOLATION } from '@app/database';
import { createdAtCursorOf, tenantNotFound } from '@app/tenants';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ApiKeyCache } from './api-key.cache';
import { ApiKeyRevocations } from './api-key-revocations';
import { generateApiKey } from './api-key-secret';
import { ApiKeysException, ApiKeysExceptionCode } from './api-keys.exception';
import { ApiKeysStore } from './api-keys.store';
import type { ApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';
import type { CreateApiKeyDto } from './dto/create-api-key.dto';
import type { ListApiKeysQueryDto } from './dto/list-api-keys-query.dto';
import type { ApiKeyEntity } from './entities/api-key.entity';

/** Each change and its audit event share one transaction: no event, no change. */
@Injectable()
export class ApiKeysService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: ApiKeysStore,
    private readonly audit: AuditService,
    private readonly cache: ApiKeyCache,
    private readonly revocations: ApiKeyRevocations,
  ) {}

  /** `binding`: the tenant named in the body (the new key is bound to it), or all tenants when none is. */
  async create(binding: TenantSelection, dto: CreateApiKeyDto, ctx: RequestContext): Promise<CreatedApiKeyDto> {
    const scope = checkTenantBinding(dto.role, isAllTenants(binding) ? null : binding);
    const expiresAt = futureExpiry(dto.expires_at);
    const secret = generateApiKey(dto.role);
    try {
      const key = await this.dataSource.transaction(async (tx) => {
        const created = await this.store.insert(
          scope,
          { name: dto.name, role: dto.role, prefix: secret.prefix, keyHash: secret.hash, expiresAt },
          tx,
        );
        await this.audit.record(tx, {
          action: 'api_key.created',
          outcome: 'success',
          scope: scope ?? BROKER_CHAIN,
          ctx,
          metadata: {
            key_id: created.id,
            name: dto.name,
            role: dto.role,
            prefix: secret.prefix,
            expires_at: expiresAt?.toISOString() ?? null,
          },
        });
        return created;
      });
      const { revoked_at: _revoked, last_used_at: _lastUsed, ...created } = this.map(key);
      return { ...created, key: secret.key };
    } catch (error) {
      // The foreign key decides, so a tenant deleted concurrently cannot end up with a dangling key.
      if (pgErrorCode(error) === PG_FOREIGN_KEY_VIOLATION && pgConstraint(error) === 'api_keys_tenant_id_fkey')
        throw tenantNotFound();
      throw error;
    }
  }

  async list(selection: TenantSelection, query: ListApiKeysQueryDto): Promise<Page<ApiKeyDto>> {
    const rows = await this.store.list(selection, query);
    return toPage(rows, query.limit, (row) => this.map(row), createdAtCursorOf);
  }

  /**
   * Idempotent: revoking an already revoked key answers success and keeps the first revoked_at,
   * so a client retrying after a lost answer gets the same result. A key may revoke itself.
   * Every instance forgets the key at once: this one directly, the others through the NOTIFY
   * that commits with the revocation (ApiKeyRevocations).
   */
  async revoke(keyId: string, ctx: RequestContext): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      await this.store.lockAdminKeys(tx);
      const key = await this.store.findById(keyId, tx);
      if (key === null) {
        throw new ApiKeysException(404, ApiKeysExceptionCode.API_KEY_NOT_FOUND, 'No API key with this id exists.');
      }
      if (key.revokedAt !== null) return;
      if (key.role === 'admin' && (await this.store.countActiveAdminKeys(tx, key.id)) === 0) {
        throw new ApiKeysException(
          409,
          ApiKeysExceptionCode.LAST_ADMIN_KEY,
          'This is the last active admin key; create another admin key before revoking it.',
        );
      }
      await this.store.markRevoked(key.id, tx);
      await this.revocations.announceKey(tx, key.id);
      await this.audit.record(tx, {
        action: 'api_key.revoked',
        outcome: 'success',
        scope: key.scope ?? BROKER_CHAIN,
        ctx,
        metadata: { key_id: key.id, name: key.name, role: key.role, prefix: key.prefix },
      });
    });
    this.cache.evictKey(keyId);
  }

  private map(key: ApiKeyEntity): ApiKeyDto {
    return {
      id: key.id,
      prefix: key.prefix,
      name: key.name,
      role: key.role,
      tenant_id: key.tenantId,
      expires_at: key.expiresAt?.toISOString() ?? null,
      revoked_at: key.revokedAt?.toISOString() ?? null,
      last_used_at: key.lastUsedAt?.toISOString() ?? null,
      created_at: key.createdAt.toISOString(),
    };
  }
}

function checkTenantBinding(role: ApiKeyRole, scope: TenantScope | null): TenantScope | null {
  if (role === 'portal' && scope === null) {
    throw new ApiKeysException(
      400,
      ApiKeysExceptionCode.TENANT_ID_REQUIRED,
      'A portal key must be bound to a tenant.',
      {
        errors: [{ field: 'tenant_id', message: 'tenant_id is required for portal keys' }],
      },
    );
  }
  if (role === 'admin' && scope !== null) {
    throw new ApiKeysException(
      400,
      ApiKeysExceptionCode.TENANT_ID_NOT_ALLOWED,
      'An admin key spans all tenants and takes no tenant_id.',
      { errors: [{ field: 'tenant_id', message: 'tenant_id is not allowed for admin keys' }] },
    );
  }
  return scope;
}

function futureExpiry(expiresAt: string | undefined): Date | null {
  if (expiresAt === undefined) return null;
  const date = new Date(expiresAt);
  if (Number.isNaN(date.getTime()) || date.getTime() <= Date.now()) {
    throw new ApiKeysException(400, ApiKeysExceptionCode.INVALID_EXPIRY, 'expires_at must be a time in the future.', {
      errors: [{ field: 'expires_at', message: 'expires_at must be in the future' }],
    });
  }
  return date;
}
