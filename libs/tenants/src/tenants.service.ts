import { PageQueryDto, Page, RequestContext, toPage } from '@app/common';
import { AuditService } from '@app/audit';
import { isUniqueViolation } from '@app/database';
import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { createdAtCursorOf, keysetByCreatedAt } from './created-at-keyset';
import { CreateTenantDto } from './dto/create-tenant.dto';
import { TenantDto } from './dto/tenant.dto';
import { UpdateTenantDto } from './dto/update-tenant.dto';
import { TenantEntity } from './entities/tenant.entity';
import { TenantDeletions } from './tenant-deletions';
import { slugFromName } from './tenant-slug';
import { tenantNotFound, TenantsException, TenantsExceptionCode, tenantSuspended } from './tenants.exception';

const SLUG_UNIQUE_CONSTRAINT = 'tenants_slug_key';

/**
 * Each change runs in its own transaction so that the audit record of the change (a later
 * issue) is written with the same `manager` and commits or rolls back with it.
 */
@Injectable()
export class TenantsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(TenantEntity) private readonly tenants: Repository<TenantEntity>,
    private readonly audit: AuditService,
    private readonly deletions: TenantDeletions,
  ) {}

  async create(dto: CreateTenantDto, ctx: RequestContext): Promise<TenantDto> {
    const slug = dto.slug ?? slugFromName(dto.name);
    if (slug === null) {
      throw new TenantsException(
        400,
        TenantsExceptionCode.TENANT_SLUG_REQUIRED,
        'No slug can be derived from this name; send an explicit slug.',
        {
          errors: [{ field: 'slug', message: 'slug is required when the name has no ASCII letters or digits' }],
        },
      );
    }
    try {
      const tenant = await this.dataSource.transaction(async (manager) => {
        const created = await manager.save(manager.create(TenantEntity, { slug, name: dto.name, status: 'active' }));
        await this.audit.record(manager, {
          action: 'tenant.created',
          outcome: 'success',
          tenantId: created.id,
          ctx,
          metadata: { slug, name: dto.name },
        });
        return created;
      });
      return this.map(tenant);
    } catch (error) {
      // The unique constraint, not a prior lookup, decides: two concurrent creates cannot both win.
      if (isUniqueViolation(error, SLUG_UNIQUE_CONSTRAINT)) {
        throw new TenantsException(
          409,
          TenantsExceptionCode.TENANT_SLUG_TAKEN,
          `The slug "${slug}" is already in use.`,
          {
            errors: [{ field: 'slug', message: 'slug is already in use' }],
          },
        );
      }
      throw error;
    }
  }

  async list(page: PageQueryDto): Promise<Page<TenantDto>> {
    const rows = await keysetByCreatedAt(this.tenants.createQueryBuilder('tenant'), page).getMany();
    return toPage(rows, page.limit, (row) => this.map(row), createdAtCursorOf);
  }

  async get(tenantId: string): Promise<TenantDto> {
    return this.map(await this.findOrThrow(tenantId));
  }

  async update(tenantId: string, dto: UpdateTenantDto, ctx: RequestContext): Promise<TenantDto> {
    if (dto.name === undefined && dto.status === undefined && dto.rate_limit_per_minute === undefined) {
      throw new TenantsException(
        400,
        TenantsExceptionCode.EMPTY_PATCH,
        'The patch must change name, status or rate_limit_per_minute.',
      );
    }
    const tenant = await this.dataSource.transaction(async (manager) => {
      const current = await manager.findOne(TenantEntity, {
        where: { id: tenantId },
        lock: { mode: 'pessimistic_write' },
      });
      if (current === null) throw tenantNotFound();
      current.name = dto.name ?? current.name;
      current.status = dto.status ?? current.status;
      if (dto.rate_limit_per_minute !== undefined) current.rateLimitPerMinute = dto.rate_limit_per_minute;
      const saved = await manager.save(current);
      await this.audit.record(manager, {
        action: 'tenant.updated',
        outcome: 'success',
        tenantId,
        ctx,
        metadata: { changes: { name: dto.name, status: dto.status, rate_limit_per_minute: dto.rate_limit_per_minute } },
      });
      return saved;
    });
    return this.map(tenant);
  }

  /** Foreign keys cascade to the tenant's API keys, connections and credentials. */
  async delete(tenantId: string, ctx: RequestContext): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const result = await manager.delete(TenantEntity, { id: tenantId });
      if (!result.affected) throw tenantNotFound();
      await this.audit.record(manager, { action: 'tenant.deleted', outcome: 'success', tenantId, ctx });
    });
    this.deletions.publish(tenantId);
  }

  /** For actions a suspended tenant may not take (issuing login links). */
  async requireActive(tenantId: string): Promise<TenantDto> {
    const tenant = await this.findOrThrow(tenantId);
    if (tenant.status !== 'active') throw tenantSuspended();
    return this.map(tenant);
  }

  private async findOrThrow(tenantId: string): Promise<TenantEntity> {
    const tenant = await this.tenants.findOneBy({ id: tenantId });
    if (tenant === null) throw tenantNotFound();
    return tenant;
  }

  private map(tenant: TenantEntity): TenantDto {
    return {
      id: tenant.id,
      slug: tenant.slug,
      name: tenant.name,
      status: tenant.status,
      rate_limit_per_minute: tenant.rateLimitPerMinute ?? null,
      created_at: tenant.createdAt.toISOString(),
      updated_at: tenant.updatedAt.toISOString(),
    };
  }
}
