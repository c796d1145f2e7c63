import { AuditService } from '@app/audit';
import { type Page, type PageQueryDto, type RequestContext, type TenantScope, toPage } from '@app/common';
import { isUniqueViolation } from '@app/database';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { createdAtCursorOf } from './created-at-keyset';
import { CreateTenantDto } from './dto/create-tenant.dto';
import { TenantDto } from './dto/tenant.dto';
import { UpdateTenantDto } from './dto/update-tenant.dto';
import { TenantEntity } from './entities/tenant.entity';
import { TenantDeletions } from './tenant-deletions';
import { slugFromName } from './tenant-slug';
import { tenantNotFound, TenantsException, TenantsExceptionCode } from './tenants.exception';
import { TenantsStore } from './tenants.store';

const SLUG_UNIQUE_CONSTRAINT = 'tenants_slug_key';

/** Each change and its audit event share one transaction: no event, no change. */
@Injectable()
export class TenantsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: TenantsStore,
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
        { errors: [{ field: 'slug', message: 'slug is required when the name has no ASCII letters or digits' }] },
      );
    }
    try {
      const tenant = await this.dataSource.transaction(async (tx) => {
        const { tenant: created, scope } = await this.store.create({ slug, name: dto.name }, tx);
        await this.audit.record(tx, {
          action: 'tenant.created',
          outcome: 'success',
          scope,
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
    const rows = await this.store.listAll(page);
    return toPage(rows, page.limit, (row) => this.map(row), createdAtCursorOf);
  }

  async get(scope: TenantScope): Promise<TenantDto> {
    const tenant = await this.store.find(scope);
    if (tenant === null) throw tenantNotFound();
    return this.map(tenant);
  }

  async update(scope: TenantScope, dto: UpdateTenantDto, ctx: RequestContext): Promise<TenantDto> {
    if (
      dto.name === undefined &&
      dto.status === undefined &&
      dto.rate_limit_per_minute === undefined &&
      dto.max_launch_expires_in === undefined
    ) {
      throw new TenantsException(
        400,
        TenantsExceptionCode.EMPTY_PATCH,
        'The patch must change name, status, rate_limit_per_minute or max_launch_expires_in.',
      );
    }
    const tenant = await this.dataSource.transaction(async (tx) => {
      const changes = {
        name: dto.name,
        status: dto.status,
        rateLimitPerMinute: dto.rate_limit_per_minute,
        maxLaunchExpiresIn: dto.max_launch_expires_in,
      };
      const saved = await this.store.update(scope, changes, tx);
      if (saved === null) throw tenantNotFound();
      await this.audit.record(tx, {
        action: 'tenant.updated',
        outcome: 'success',
        scope,
        ctx,
        metadata: {
          changes: {
            name: dto.name,
            status: dto.status,
            rate_limit_per_minute: dto.rate_limit_per_minute,
            max_launch_expires_in: dto.max_launch_expires_in,
          },
        },
      });
      return saved;
    });
    return this.map(tenant);
  }

  async delete(scope: TenantScope, ctx: RequestContext): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      if (!(await this.store.delete(scope, tx))) throw tenantNotFound();
      await this.audit.record(tx, { action: 'tenant.deleted', outcome: 'success', scope, ctx });
    });
    this.deletions.publish(scope.tenantId);
  }

  private map(tenant: TenantEntity): TenantDto {
    return {
      id: tenant.id,
      slug: tenant.slug,
      name: tenant.name,
      status: tenant.status,
      rate_limit_per_minute: tenant.rateLimitPerMinute ?? null,
      max_launch_expires_in: tenant.maxLaunchExpiresIn ?? null,
      created_at: tenant.createdAt.toISOString(),
      updated_at: tenant.updatedAt.toISOString(),
    };
  }
}
