import { Injectable } from '@nestjs/common';
import { EnvelopeCipher, SealedSecret } from './crypto/envelope-cipher';
import { MasterKeyRing } from './crypto/master-key-ring';
import { SecretBinding } from './crypto/secret-binding';
import { VaultDecryptionError } from './crypto/vault-crypto.exception';

/**
 * Seals JSON credentials to a row's binding and opens them again. Plaintext buffers are zeroed
 * as soon as they are encoded or parsed; the returned object is the caller's to drop quickly.
 */
@Injectable()
export class VaultService {
  private readonly cipher: EnvelopeCipher;

  constructor(readonly ring: MasterKeyRing) {
    this.cipher = new EnvelopeCipher(ring);
  }

  get currentMasterKeyVersion(): string {
    return this.ring.current.version;
  }

  seal(binding: SecretBinding, plaintext: Record<string, unknown>): SealedSecret {
    const bytes = Buffer.from(JSON.stringify(plaintext), 'utf8');
    try {
      return this.cipher.seal(bytes, binding);
    } finally {
      bytes.fill(0);
    }
  }

  open(binding: SecretBinding, sealed: SealedSecret): Record<string, unknown> {
    const bytes = this.cipher.open(sealed, binding);
    try {
      const value: unknown = JSON.parse(bytes.toString('utf8'));
      // Authenticated bytes that are not a JSON object can only come from a bug, not an attacker.
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new VaultDecryptionError();
      return value as Record<string, unknown>;
    } finally {
      bytes.fill(0);
    }
  }

  /** Same secret, data key re-wrapped under the current master key; the ciphertext is unchanged. */
  rewrap(binding: SecretBinding, sealed: SealedSecret): SealedSecret {
    return this.cipher.rewrap(sealed, binding);
  }

  /**
   * A legacy blob (older associated-data layout) sealed afresh, bound to `binding.origin`, under
   * the current master key; a current blob is only re-wrapped if its master key is not current.
   */
  upgrade(binding: SecretBinding, sealed: SealedSecret): SealedSecret {
    return this.cipher.upgrade(sealed, binding);
  }

  needsRewrap(sealed: Pick<SealedSecret, 'masterKeyVersion'>): boolean {
    return this.cipher.needsRewrap(sealed);
  }

  needsUpgrade(sealed: Pick<SealedSecret, 'aadVersion'>): boolean {
    return this.cipher.needsUpgrade(sealed);
  }
}
