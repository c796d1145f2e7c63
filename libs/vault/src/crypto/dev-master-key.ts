import { join } from 'node:path';
import { loadOrCreatePrivateKeyFile } from '@app/common';
import { MasterKeyRing } from './master-key-ring';
import { MasterKeyConfigError } from './vault-crypto.exception';

export interface DevMasterKey {
  /** `BROKER_MASTER_KEYS`-formatted text, e.g. `v1:<base64>`. */
  entry: string;
  created: boolean;
  path: string;
}

/** Development only: the master key kept in `<dataDir>/master.key` when none is configured. */
export function loadOrCreateDevMasterKey(dataDir: string): DevMasterKey {
  const { text, created, path } = loadOrCreatePrivateKeyFile(join(dataDir, 'master.key'), {
    generate: () => MasterKeyRing.generateEntry('v1'),
    parse: (entry) => MasterKeyRing.parse(entry),
    error: (message) => new MasterKeyConfigError(message),
  });
  return { entry: text, created, path };
}
