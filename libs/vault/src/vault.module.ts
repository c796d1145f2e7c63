import { AuditModule } from '@app/audit';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConnectionSecretEntity } from './entities/connection-secret.entity';
import { MasterKeyCoverageCheck } from './keys/master-key-coverage.check';
import { MASTER_KEY_RING_PROVIDER } from './keys/master-key-ring.provider';
import { VaultRewrapService } from './rewrap/vault-rewrap.service';
import { VaultService } from './vault.service';

@Module({
  imports: [TypeOrmModule.forFeature([ConnectionSecretEntity]), AuditModule],
  providers: [MASTER_KEY_RING_PROVIDER, VaultService, VaultRewrapService, MasterKeyCoverageCheck],
  exports: [VaultService, VaultRewrapService, TypeOrmModule],
})
export class VaultModule {}
