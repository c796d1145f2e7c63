import type { ConnectionContext } from '@app/providers';
import { type SealedSecret, secretOrigin, type VaultService } from '@app/vault';
import type { ConnectionWithSecretRow } from './connections.store';

/**
 * The context handed to providers. It holds only the sealed blobs: the credential is decrypted
 * on each loadCredentials() call (a few µs) and never kept, see docs/vault.md on caching. The
 * binding names the origin of the base_url the provider will call: a blob sealed for another
 * origin does not open (docs/vault.md#associated-data), so a credential never follows a
 * base_url it was not stored for.
 */
export function connectionContext(vault: VaultService, row: ConnectionWithSecretRow): ConnectionContext {
  const sealed: SealedSecret = {
    aadVersion: row.aad_version,
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
    loadCredentials: async () => {
      const binding = {
        tenantId: row.tenant_id,
        connectionId: row.id,
        secretVersion: row.secret_version,
        origin: secretOrigin(row.base_url),
      };
      return vault.open(binding, sealed);
    },
  };
}
