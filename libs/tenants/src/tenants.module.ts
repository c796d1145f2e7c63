import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TenantEntity } from './entities/tenant.entity';
import { TenantDeletions } from './tenant-deletions';
import { TenantsService } from './tenants.service';

@Module({
  imports: [TypeOrmModule.forFeature([TenantEntity])],
  providers: [TenantsService, TenantDeletions],
  exports: [TenantsService, TenantDeletions],
})
export class TenantsModule {}
