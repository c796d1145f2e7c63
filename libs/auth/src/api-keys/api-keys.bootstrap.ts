import { ConfigurationError, Environment } from '@app/config';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { countActiveAdminKeys, lockAdminKeys } from './admin-keys';
import { ApiKeySecret, describeApiKey, generateApiKey, isWellFormedAdminKey } from './api-key-secret';
import { ApiKeyEntity } from './entities/api-key.entity';

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
    private readonly config: ConfigService<Environment, true>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const configured = this.configuredKey();
    const created = await this.dataSource.transaction(async (manager) => {
      await lockAdminKeys(manager);
      if ((await countActiveAdminKeys(manager)) > 0) return null;
      const secret = configured ?? generateApiKey('admin');
      if (configured && (await manager.existsBy(ApiKeyEntity, { keyHash: configured.hash }))) {
        throw new ConfigurationError(
          'invalid configuration:\n  BROKER_BOOTSTRAP_ADMIN_KEY: this key was revoked or has expired; set a new key or unset the variable',
        );
      }
      await manager.insert(ApiKeyEntity, {
        name: BOOTSTRAP_KEY_NAME,
        role: 'admin',
        tenantId: null,
        prefix: secret.prefix,
        keyHash: secret.hash,
      });
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
