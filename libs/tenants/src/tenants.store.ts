import { issueTenantScope, type PageQueryDto, type TenantScope } from '@app/common';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { keysetByCreatedAt } from './created-at-keyset';
import { TenantEntity, type TenantStatus } from './entities/tenant.entity';

export interface NewTenant {
  slug: string;
  name: string;
}

export interface TenantChanges {
  name?: string;
  status?: TenantStatus;
  rateLimitPerMinute?: number | null;
  maxLaunchExpiresIn?: number | null;
}

/**
 * The only code that reads or writes `tenants`. Single-table CRUD through TypeORM's entity API
 * (see docs/architecture.md#raw-sql-or-typeorm). `tx` is the caller's transaction, so a change
 * and its audit event commit together.
 */
@Injectable()
export class TenantsStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A new tenant and the scope to act on it: the row the database just created vouches for it. */
  async create(tenant: NewTenant, tx: EntityManager): Promise<{ tenant: TenantEntity; scope: TenantScope }> {
    const created = await tx.save(tx.create(TenantEntity, { ...tenant, status: 'active' }));
    return { tenant: created, scope: issueTenantScope(created.id) };
  }

  /** Every tenant, for a key bound to none (the caller checked the role). */
  listAll(page: PageQueryDto): Promise<TenantEntity[]> {
    return keysetByCreatedAt(this.dataSource.manager.createQueryBuilder(TenantEntity, 'tenant'), page).getMany();
  }

  find(scope: TenantScope, tx: EntityManager = this.dataSource.manager): Promise<TenantEntity | null> {
    return tx.findOneBy(TenantEntity, { id: scope.tenantId });
  }

  async update(scope: TenantScope, changes: TenantChanges, tx: EntityManager): Promise<TenantEntity | null> {
    const current = await tx.findOne(TenantEntity, {
      where: { id: scope.tenantId },
      lock: { mode: 'pessimistic_write' },
    });
    if (current === null) return null;
    current.name = changes.name ?? current.name;
    current.status = changes.status ?? current.status;
    if (changes.rateLimitPerMinute !== undefined) current.rateLimitPerMinute = changes.rateLimitPerMinute;
    if (changes.maxLaunchExpiresIn !== undefined) current.maxLaunchExpiresIn = changes.maxLaunchExpiresIn;
    return tx.save(current);
  }

  /** Foreign keys cascade to the tenant's API keys, connections, credentials and link records. */
  async delete(scope: TenantScope, tx: EntityManager): Promise<boolean> {
    const result = await tx.delete(TenantEntity, { id: scope.tenantId });
    return (result.affected ?? 0) > 0;
  }
}
