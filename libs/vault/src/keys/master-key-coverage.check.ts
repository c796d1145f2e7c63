import { Injectable, Logger } from '@nestjs/common';
import { MasterKeyRing } from '../crypto/master-key-ring';
import { ConnectionSecretsStore } from '../secrets/connection-secrets.store';
import { MasterKeyCoverageError } from '../vault.exception';

/**
 * Refuses to start when stored secrets are sealed under a master-key version the configuration
 * lacks: better a clear start-up error naming the versions than a 500 at the first login link.
 * Run by VaultBootstrap.
 */
@Injectable()
export class MasterKeyCoverageCheck {
  private readonly logger = new Logger('Vault');

  constructor(
    private readonly ring: MasterKeyRing,
    private readonly secrets: ConnectionSecretsStore,
  ) {}

  async check(): Promise<void> {
    const stored = await this.secrets.masterKeyVersionsInUse();
    const missing = stored.filter((version) => !this.ring.has(version));
    if (missing.length > 0) throw new MasterKeyCoverageError(missing, this.ring.versions);
    const stale = stored.filter((version) => version !== this.ring.current.version);
    this.logger.log(
      `master keys configured: ${this.ring.versions.join(', ')} (current ${this.ring.current.version})` +
        (stale.length > 0 ? `; secrets still sealed under ${stale.join(', ')}: run POST /v1/vault/rewrap` : ''),
    );
  }
}
