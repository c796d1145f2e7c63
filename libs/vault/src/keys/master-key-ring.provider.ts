import { Environment } from '@app/config';
import { Logger, Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { loadOrCreateDevMasterKey } from '../crypto/dev-master-key';
import { MasterKeyRing } from '../crypto/master-key-ring';

const logger = new Logger('Vault');

/**
 * BROKER_MASTER_KEYS when set; otherwise (never in production, which config validation already
 * refuses) the development key file under DATA_DIR. The log names the file, never its content.
 */
export function masterKeyRingFromConfig(config: ConfigService<Environment, true>): MasterKeyRing {
  const configured = config.get('BROKER_MASTER_KEYS', { infer: true });
  if (configured) return MasterKeyRing.parse(configured);
  if (config.get('NODE_ENV', { infer: true }) === 'production') {
    throw new Error('BROKER_MASTER_KEYS is required when NODE_ENV=production');
  }
  const devKey = loadOrCreateDevMasterKey(config.get('DATA_DIR', { infer: true }));
  logger.warn(
    devKey.created
      ? `BROKER_MASTER_KEYS is not set: generated a development master key in ${devKey.path} (mode 0600); set BROKER_MASTER_KEYS in production`
      : `BROKER_MASTER_KEYS is not set: using the development master key in ${devKey.path}`,
  );
  return MasterKeyRing.parse(devKey.entry);
}

export const MASTER_KEY_RING_PROVIDER: Provider = {
  provide: MasterKeyRing,
  useFactory: masterKeyRingFromConfig,
  inject: [ConfigService],
};
