import { AuditService } from '@app/audit';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { VaultRewrapService } from '../rewrap/vault-rewrap.service';
import { MasterKeyCoverageCheck } from './master-key-coverage.check';

/**
 * Runs once at application bootstrap, before the HTTP server listens, in this order: the
 * master-key coverage check (refuses to start), then the upgrade of legacy-layout secrets to
 * origin-bound ones (docs/vault.md#upgrading-legacy-rows-to-layout-2). Nest runs the bootstrap
 * hooks of one module concurrently, hence one hook for both.
 */
@Injectable()
export class VaultBootstrap implements OnApplicationBootstrap {
  constructor(
    private readonly coverage: MasterKeyCoverageCheck,
    private readonly rewrap: VaultRewrapService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.coverage.check();
    await this.rewrap.upgradeLegacy(AuditService.systemContext('vault-legacy-upgrade'));
  }
}
