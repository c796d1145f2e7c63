import { AuditModule } from '@app/audit';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MasterKeyCoverageCheck } from './keys/master-key-coverage.check';
import { MASTER_KEY_RING_PROVIDER } from './keys/master-key-ring.provider';
import { VaultBootstrap } from './keys/vault.bootstrap';
import { VaultRewrapService } from './rewrap/vault-rewrap.service';
import { ConnectionSecretEntity } from './secrets/connection-secret.entity';
import { ConnectionSecretsStore } from './secrets/connection-secrets.store';
import { VaultService } from './vault.service';

@Module({
  imports: [TypeOrmModule.forFeature([ConnectionSecretEntity]), AuditModule],
  providers: [
    MASTER_KEY_RING_PROVIDER,
    VaultService,
    VaultRewrapService,
    MasterKeyCoverageCheck,
    VaultBootstrap,
    ConnectionSecretsStore,
  ],
  exports: [VaultService, VaultRewrapService, ConnectionSecretsStore],
})
export class VaultModule {}
