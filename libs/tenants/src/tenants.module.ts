import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TenantEntity } from './entities/tenant.entity';
import { TenantDeletions } from './tenant-deletions';
import { TenantsService } from './tenants.service';
import { TenantsStore } from './tenants.store';

@Module({
  imports: [TypeOrmModule.forFeature([TenantEntity])],
  providers: [TenantsStore, TenantsService, TenantDeletions],
  exports: [TenantsService, TenantsStore, TenantDeletions],
})
export class TenantsModule {}
