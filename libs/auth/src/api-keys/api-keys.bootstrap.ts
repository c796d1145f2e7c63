import { ConfigurationError, Environment } from '@app/config';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ApiKeySecret, describeApiKey, generateApiKey, isWellFormedAdminKey } from './api-key-secret';
import { ApiKeysStore } from './api-keys.store';
import { isPrettyLogFormat } from '@app/observability';

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
      if ((await this.keys.countActiveAdminKeys(tx)) > 0) {
        if (configured && !(await this.keys.isActiveAdminKey(configured.hash, tx))) this.warnIgnored(configured);
        return null;
      }
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
    } else if (isPrettyLogFormat(this.config.get('LOG_FORMAT', { infer: true }))) {
      // A person at a terminal: a block that stands out from the log lines around it.
      process.stdout.write(framedKey(created.key));
    } else {
      this.logger.warn(`BOOTSTRAP ADMIN KEY (shown once, store it now; it is never shown again): ${created.key}`);
    }
  }

  /** A restart with a new BROKER_BOOTSTRAP_ADMIN_KEY is not a recovery path: say so, and name the one that is. */
  private warnIgnored(configured: ApiKeySecret): void {
    this.logger.warn(
      `BROKER_BOOTSTRAP_ADMIN_KEY (${configured.prefix}…) is ignored: active admin keys exist, and it is not one of them. ` +
        'To recover from a lost admin key, run `sso-broker admin-key create --name <name>` on a machine that can reach ' +
        'the database (see README, "Lost admin key").',
    );
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

function framedKey(key: string): string {
  const lines = [
    'BOOTSTRAP ADMIN KEY: shown once, store it now (it is never shown again)',
    '',
    key,
    '',
    'Use it as: Authorization: Bearer <key>   (curl -H "Authorization: Bearer $ADMIN_KEY" ...)',
  ];
  const width = Math.max(...lines.map((line) => line.length));
  const rule = `+${'-'.repeat(width + 2)}+`;
  return `\n${rule}\n${lines.map((line) => `| ${line.padEnd(width)} |`).join('\n')}\n${rule}\n\n`;
}
