import { randomBytes } from 'node:crypto';
import { KEY_LENGTH, gcmOpen, gcmSeal } from './aes-gcm';
import { MasterKeyRing } from './master-key-ring';
import { SecretBinding, bindingAad } from './secret-binding';

/**
 * What the vault stores per secret. Both blobs are nonce (12) ‖ tag (16) ‖ ciphertext:
 * - `wrappedKey`: the 32-byte data key under the KEK of `masterKeyVersion` (60 bytes in total);
 * - `ciphertext`: the secret under its own data key.
 * Both authenticate the binding, so either one copied onto another row fails to open.
 */
export interface SealedSecret {
  masterKeyVersion: string;
  wrappedKey: Buffer;
  ciphertext: Buffer;
}

/** Envelope encryption: a fresh data key per secret, wrapped by the newest master key. */
export class EnvelopeCipher {
  constructor(private readonly ring: MasterKeyRing) {}

  seal(plaintext: Buffer, binding: SecretBinding): SealedSecret {
    const dataKey = randomBytes(KEY_LENGTH);
    try {
      const ciphertext = gcmSeal(dataKey, plaintext, bindingAad(binding, 'secret'));
      const { masterKeyVersion, wrappedKey } = this.ring.wrapDataKey(dataKey, bindingAad(binding, 'data-key'));
      return { masterKeyVersion, wrappedKey, ciphertext };
    } finally {
      dataKey.fill(0);
    }
  }

  open(sealed: SealedSecret, binding: SecretBinding): Buffer {
    const dataKey = this.unwrap(sealed, binding);
    try {
      return gcmOpen(dataKey, sealed.ciphertext, bindingAad(binding, 'secret'));
    } finally {
      dataKey.fill(0);
    }
  }

  /** Re-encrypts only the data key, so rotating the master key never touches secret ciphertexts. */
  rewrap(sealed: SealedSecret, binding: SecretBinding): SealedSecret {
    if (!this.needsRewrap(sealed)) return sealed;
    const dataKey = this.unwrap(sealed, binding);
    try {
      const { masterKeyVersion, wrappedKey } = this.ring.wrapDataKey(dataKey, bindingAad(binding, 'data-key'));
      return { masterKeyVersion, wrappedKey, ciphertext: sealed.ciphertext };
    } finally {
      dataKey.fill(0);
    }
  }

  needsRewrap(sealed: SealedSecret): boolean {
    return sealed.masterKeyVersion !== this.ring.current.version;
  }

  private unwrap(sealed: SealedSecret, binding: SecretBinding): Buffer {
    return this.ring.unwrapDataKey(sealed.masterKeyVersion, sealed.wrappedKey, bindingAad(binding, 'data-key'));
  }
}
