import { ConfigurationError, Environment } from '@app/config';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ApiKeySecret, describeApiKey, generateApiKey, isWellFormedAdminKey } from './api-key-secret';
import { ApiKeysStore } from './api-keys.store';

const BOOTSTRAP_KEY_NAME = 'bootstrap admin';

/**
 * Makes sure an admin key exists, so a fresh installation can be administered. With
 * BROKER_BOOTSTRAP_ADMIN_KEY set, that key is registered (only its hash is stored); otherwise a
 * key is generated and logged once, the only place a key text is ever logged (documented
 * first-start behaviour). The advisory lock makes concurrent first starts create one key.
 */
@Injectable()
export class ApiKeysBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger(ApiKeysBootstrap.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly keys: ApiKeysStore,
    private readonly config: ConfigService<Environment, true>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const configured = this.configuredKey();
    const created = await this.dataSource.transaction(async (tx) => {
      await this.keys.lockAdminKeys(tx);
      if ((await this.keys.countActiveAdminKeys(tx)) > 0) return null;
      const secret = configured ?? generateApiKey('admin');
      if (configured && (await this.keys.existsByHash(configured.hash, tx))) {
        throw new ConfigurationError(
          'invalid configuration:\n  BROKER_BOOTSTRAP_ADMIN_KEY: this key was revoked or has expired; set a new key or unset the variable',
        );
      }
      await this.keys.insert(
        null,
        { name: BOOTSTRAP_KEY_NAME, role: 'admin', prefix: secret.prefix, keyHash: secret.hash, expiresAt: null },
        tx,
      );
      return secret;
    });
    if (created === null) return;
    if (configured) {
      this.logger.log(
        `no active admin key: registered BROKER_BOOTSTRAP_ADMIN_KEY (${created.prefix}…) as the admin key`,
      );
    } else {
      this.logger.warn(`BOOTSTRAP ADMIN KEY (shown once, store it now; it is never shown again): ${created.key}`);
    }
  }

  private configuredKey(): ApiKeySecret | null {
    const key = this.config.get('BROKER_BOOTSTRAP_ADMIN_KEY', { infer: true });
    if (key === undefined) return null;
    if (!isWellFormedAdminKey(key)) {
      throw new ConfigurationError(
        'invalid configuration:\n  BROKER_BOOTSTRAP_ADMIN_KEY: must be an admin key of the form sbk_a_ followed by 43 base64url characters (32 random bytes)',
      );
    }
    return describeApiKey(key);
  }
}
