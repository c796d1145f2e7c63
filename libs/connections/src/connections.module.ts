import { AuditModule } from '@app/audit';
import { ProvidersModule } from '@app/providers';
import { TenantsModule } from '@app/tenants';
import { VaultModule } from '@app/vault';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConnectionsService } from './connections.service';
import { ConnectionsStore } from './connections.store';
import { ConnectionEntity } from './entities/connection.entity';

@Module({
  imports: [TypeOrmModule.forFeature([ConnectionEntity]), VaultModule, ProvidersModule, TenantsModule, AuditModule],
  providers: [ConnectionsStore, ConnectionsService],
  exports: [ConnectionsService],
})
export class ConnectionsModule {}
