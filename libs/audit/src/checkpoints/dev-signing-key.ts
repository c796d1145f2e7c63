import { join } from 'node:path';
import { loadOrCreatePrivateKeyFile, readPrivateKeyFile, type PrivateKeyFileKind } from '@app/common';
import { AuditSigningKeyRing, SigningKeyConfigError } from './signing-key-ring';

export const DEV_SIGNING_KEY_FILE = 'audit-signing.key';

export interface DevSigningKey {
  /** `BROKER_AUDIT_SIGNING_KEYS`-formatted text, e.g. `v1:<base64>`. */
  entry: string;
  created: boolean;
  path: string;
}

const SIGNING_KEY_FILE: PrivateKeyFileKind = {
  generate: () => AuditSigningKeyRing.generateEntry('v1'),
  parse: (entry) => AuditSigningKeyRing.parse(entry),
  error: (message) => new SigningKeyConfigError(message),
};

/**
 * Outside production only: the checkpoint signing key kept in `<dataDir>/audit-signing.key`
 * (mode 0600) when BROKER_AUDIT_SIGNING_KEYS is not set, generated once, the way the vault keeps
 * its development master key (`master.key`).
 */
export function loadOrCreateDevSigningKey(dataDir: string): DevSigningKey {
  const { text, created, path } = loadOrCreatePrivateKeyFile(join(dataDir, DEV_SIGNING_KEY_FILE), SIGNING_KEY_FILE);
  return { entry: text, created, path };
}

/** The development signing key file, refused when group or others can read it. */
export function readDevSigningKey(path: string): string {
  return readPrivateKeyFile(path, SIGNING_KEY_FILE);
}
