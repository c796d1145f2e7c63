import { BrokerException } from '@app/common';

/**
 * Thrown by `MasterKeyRing.parse` and `loadOrCreateDevMasterKey` when the configured master keys
 * are unusable. It is a boot-time error, never an HTTP answer, so it is a plain Error. Its message
 * names an entry by position and version only, never by its text, which may be key material.
 */
export class MasterKeyConfigError extends Error {
  override readonly name = 'MasterKeyConfigError';
}

/**
 * Thrown by `EnvelopeCipher.open` / `rewrap` when a stored secret fails authentication: tampered,
 * truncated, or bound to another tenant, connection or secret version. Deliberately says nothing
 * about which part failed.
 */
export class VaultDecryptionError extends BrokerException {
  constructor() {
    super(500, 'vault_decryption_failed', 'A stored secret could not be decrypted.');
  }
}

/**
 * Thrown by `EnvelopeCipher.open` / `rewrap` when a secret is sealed under a master-key version
 * that is no longer configured (retired before every secret was re-wrapped).
 */
export class UnknownMasterKeyVersionError extends BrokerException {
  constructor(readonly version: string) {
    super(
      500,
      'vault_unknown_master_key',
      `A stored secret is sealed under master key version ${version}, which is not configured.`,
    );
  }
}
