import type { ConnectionContext } from '@app/providers';
import type { SealedSecret, VaultService } from '@app/vault';
import type { ConnectionWithSecretRow } from './connections.store';

/**
 * The context handed to providers. It holds only the sealed blobs: the credential is decrypted
 * on each loadCredentials() call (a few µs) and never kept, see docs/vault.md on caching.
 */
export function connectionContext(vault: VaultService, row: ConnectionWithSecretRow): ConnectionContext {
  const binding = { tenantId: row.tenant_id, connectionId: row.id, secretVersion: row.secret_version };
  const sealed: SealedSecret = {
    masterKeyVersion: row.master_key_version,
    wrappedKey: row.wrapped_key,
    ciphertext: row.ciphertext,
  };
  return {
    tenantId: row.tenant_id,
    connectionId: row.id,
    baseUrl: row.base_url,
    settings: row.settings,
    credentialVersion: row.secret_version,
    loadCredentials: async () => vault.open(binding, sealed),
  };
}
