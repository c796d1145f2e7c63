import { join } from 'node:path';
import type { Environment } from '@app/config';
import { Logger, type Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { CheckpointSigner } from './checkpoint-note';
import { loadOrCreateDevSigningKey } from './dev-signing-key';
import { AuditSigningKeyRing } from './signing-key-ring';

export interface AuditCheckpointSettings {
  /** 0: no checkpoints are made (stored ones are still served and verified). */
  intervalSeconds: number;
  /** The file sink's directory. */
  directory: string;
  webhookUrl: string | null;
}

export const AUDIT_CHECKPOINT_SETTINGS = Symbol('AUDIT_CHECKPOINT_SETTINGS');

const logger = new Logger('AuditCheckpoints');

export const AUDIT_CHECKPOINT_SETTINGS_PROVIDER: Provider = {
  provide: AUDIT_CHECKPOINT_SETTINGS,
  inject: [ConfigService],
  useFactory: (config: ConfigService<Environment, true>): AuditCheckpointSettings => ({
    intervalSeconds: config.get('AUDIT_CHECKPOINT_INTERVAL_SECONDS', { infer: true }),
    directory:
      config.get('AUDIT_CHECKPOINT_DIR', { infer: true }) ??
      join(config.get('DATA_DIR', { infer: true }), 'checkpoints'),
    webhookUrl: config.get('AUDIT_CHECKPOINT_WEBHOOK_URL', { infer: true }) ?? null,
  }),
};

/**
 * BROKER_AUDIT_SIGNING_KEYS when set; otherwise (never in production, which config validation
 * already refuses) the development key file under DATA_DIR. The log names the file, never its
 * content.
 */
export function checkpointSignerFromConfig(config: ConfigService<Environment, true>): CheckpointSigner {
  const origin = config.get('AUDIT_CHECKPOINT_ORIGIN', { infer: true });
  if (!origin) throw new Error('AUDIT_CHECKPOINT_ORIGIN is not resolved (validateEnvironment sets its default)');
  const configured = config.get('BROKER_AUDIT_SIGNING_KEYS', { infer: true });
  if (configured) return new CheckpointSigner(AuditSigningKeyRing.parse(configured), origin);
  if (config.get('NODE_ENV', { infer: true }) === 'production')
    throw new Error('BROKER_AUDIT_SIGNING_KEYS is required when NODE_ENV=production');
  const devKey = loadOrCreateDevSigningKey(config.get('DATA_DIR', { infer: true }));
  logger.warn(
    devKey.created
      ? `BROKER_AUDIT_SIGNING_KEYS is not set: generated a development checkpoint signing key in ${devKey.path} (mode 0600); set BROKER_AUDIT_SIGNING_KEYS in production`
      : `BROKER_AUDIT_SIGNING_KEYS is not set: using the development checkpoint signing key in ${devKey.path}`,
  );
  return new CheckpointSigner(AuditSigningKeyRing.parse(devKey.entry), origin);
}

export const CHECKPOINT_SIGNER_PROVIDER: Provider = {
  provide: CheckpointSigner,
  inject: [ConfigService],
  useFactory: checkpointSignerFromConfig,
};
