import { ApiKeyRole, Page, RequestContext, toPage } from '@app/common';
import { AuditService } from '@app/audit';
import { pgConstraint, pgErrorCode, PG_FOREIGN_KEY_VIOLATION } from '@app/database';
import { createdAtCursorOf, keysetByCreatedAt, tenantNotFound } from '@app/tenants';
import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { countActiveAdminKeys, lockAdminKeys } from './admin-keys';
import { ApiKeyCache } from './api-key.cache';
import { ApiKeyRevocations } from './api-key-revocations';
import { generateApiKey } from './api-key-secret';
import { ApiKeysException, ApiKeysExceptionCode } from './api-keys.exception';
import { ApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';
import { CreateApiKeyDto } from './dto/create-api-key.dto';
import { ListApiKeysQueryDto } from './dto/list-api-keys-query.dto';
import { ApiKeyEntity } from './entities/api-key.entity';

/**
 * Each change runs in its own transaction so that its audit event (`api_key.created`,
 * `api_key.revoked`) is written with the same `manager` and commits or rolls back with it.
 */
@Injectable()
export class ApiKeysService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    private readonly audit: AuditService,
    private readonly cache: ApiKeyCache,
    private readonly revocations: ApiKeyRevocations,
  ) {}

  async create(dto: CreateApiKeyDto, ctx: RequestContext): Promise<CreatedApiKeyDto> {
    const tenantId = checkTenantBinding(dto.role, dto.tenant_id);
    const expiresAt = futureExpiry(dto.expires_at);
    const secret = generateApiKey(dto.role);
    try {
      const key = await this.dataSource.transaction(async (manager) => {
        const created = await manager.save(
          manager.create(ApiKeyEntity, {
            name: dto.name,
            role: dto.role,
            tenantId,
            prefix: secret.prefix,
            keyHash: secret.hash,
            expiresAt,
          }),
        );
        await this.audit.record(manager, {
          action: 'api_key.created',
          outcome: 'success',
          tenantId,
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

  async list(query: ListApiKeysQueryDto): Promise<Page<ApiKeyDto>> {
    const qb = this.keys.createQueryBuilder('key');
    if (query.tenant_id !== undefined) qb.where('key.tenant_id = :tenantId', { tenantId: query.tenant_id });
    const rows = await keysetByCreatedAt(qb, query).getMany();
    return toPage(rows, query.limit, (row) => this.map(row), createdAtCursorOf);
  }

  /**
   * Idempotent: revoking an already revoked key answers success and keeps the first revoked_at,
   * so a client retrying after a lost answer gets the same result. A key may revoke itself.
   * Every instance forgets the key at once: this one directly, the others through the NOTIFY
   * that commits with the revocation (ApiKeyRevocations).
   */
  async revoke(keyId: string, ctx: RequestContext): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await lockAdminKeys(manager);
      const key = await manager.findOneBy(ApiKeyEntity, { id: keyId });
      if (key === null) {
        throw new ApiKeysException(404, ApiKeysExceptionCode.API_KEY_NOT_FOUND, 'No API key with this id exists.');
      }
      if (key.revokedAt !== null) return;
      if (key.role === 'admin' && (await countActiveAdminKeys(manager, key.id)) === 0) {
        throw new ApiKeysException(
          409,
          ApiKeysExceptionCode.LAST_ADMIN_KEY,
          'This is the last active admin key; create another admin key before revoking it.',
        );
      }
      await manager.update(ApiKeyEntity, { id: key.id }, { revokedAt: () => 'now()' });
      await this.revocations.announceKey(manager, key.id);
      await this.audit.record(manager, {
        action: 'api_key.revoked',
        outcome: 'success',
        tenantId: key.tenantId,
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

function checkTenantBinding(role: ApiKeyRole, tenantId: string | undefined): string | null {
  if (role === 'portal' && tenantId === undefined) {
    throw new ApiKeysException(
      400,
      ApiKeysExceptionCode.TENANT_ID_REQUIRED,
      'A portal key must be bound to a tenant.',
      {
        errors: [{ field: 'tenant_id', message: 'tenant_id is required for portal keys' }],
      },
    );
  }
  if (role === 'admin' && tenantId !== undefined) {
    throw new ApiKeysException(
      400,
      ApiKeysExceptionCode.TENANT_ID_NOT_ALLOWED,
      'An admin key spans all tenants and takes no tenant_id.',
      {
        errors: [{ field: 'tenant_id', message: 'tenant_id is not allowed for admin keys' }],
      },
    );
  }
  return tenantId ?? null;
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
