import { randomBytes } from 'node:crypto';
import { KEY_LENGTH, gcmOpen, gcmSeal } from './aes-gcm';
import { MasterKeyRing } from './master-key-ring';
import { AadVersion, CURRENT_AAD_VERSION, SecretBinding, bindingAad } from './secret-binding';

/**
 * What the vault stores per secret. Both blobs are nonce (12) ‖ tag (16) ‖ ciphertext:
 * - `wrappedKey`: the 32-byte data key under the KEK of `masterKeyVersion` (60 bytes in total);
 * - `ciphertext`: the secret under its own data key.
 * Both authenticate the binding in layout `aadVersion`, so either one copied onto another row,
 * or opened for another origin, fails.
 */
export interface SealedSecret {
  aadVersion: AadVersion;
  masterKeyVersion: string;
  wrappedKey: Buffer;
  ciphertext: Buffer;
}

/** Envelope encryption: a fresh data key per secret, wrapped by the newest master key. */
export class EnvelopeCipher {
  constructor(private readonly ring: MasterKeyRing) {}

  /** Always the current associated-data layout (2: bound to the origin). */
  seal(plaintext: Buffer, binding: SecretBinding): SealedSecret {
    const aadVersion = CURRENT_AAD_VERSION;
    const dataKey = randomBytes(KEY_LENGTH);
    try {
      const ciphertext = gcmSeal(dataKey, plaintext, bindingAad(binding, 'secret', aadVersion));
      const { masterKeyVersion, wrappedKey } = this.ring.wrapDataKey(
        dataKey,
        bindingAad(binding, 'data-key', aadVersion),
      );
      return { aadVersion, masterKeyVersion, wrappedKey, ciphertext };
    } finally {
      dataKey.fill(0);
    }
  }

  /** Opens with the layout the blob was sealed under (`sealed.aadVersion`). */
  open(sealed: SealedSecret, binding: SecretBinding): Buffer {
    const dataKey = this.unwrap(sealed, binding);
    try {
      return gcmOpen(dataKey, sealed.ciphertext, bindingAad(binding, 'secret', sealed.aadVersion));
    } finally {
      dataKey.fill(0);
    }
  }

  /** Re-encrypts only the data key, so rotating the master key never touches secret ciphertexts. */
  rewrap(sealed: SealedSecret, binding: SecretBinding): SealedSecret {
    if (!this.needsRewrap(sealed)) return sealed;
    const dataKey = this.unwrap(sealed, binding);
    try {
      const { masterKeyVersion, wrappedKey } = this.ring.wrapDataKey(
        dataKey,
        bindingAad(binding, 'data-key', sealed.aadVersion),
      );
      return { aadVersion: sealed.aadVersion, masterKeyVersion, wrappedKey, ciphertext: sealed.ciphertext };
    } finally {
      dataKey.fill(0);
    }
  }

  /**
   * A legacy blob (an older associated-data layout) opened with its own layout and sealed afresh
   * under the current one and the current master key: a new data key, so the old one still
   * encrypts exactly one message. `binding.origin` is what the upgraded blob is bound to.
   */
  upgrade(sealed: SealedSecret, binding: SecretBinding): SealedSecret {
    if (!this.needsUpgrade(sealed)) return this.rewrap(sealed, binding);
    const plaintext = this.open(sealed, binding);
    try {
      return this.seal(plaintext, binding);
    } finally {
      plaintext.fill(0);
    }
  }

  needsRewrap(sealed: Pick<SealedSecret, 'masterKeyVersion'>): boolean {
    return sealed.masterKeyVersion !== this.ring.current.version;
  }

  needsUpgrade(sealed: Pick<SealedSecret, 'aadVersion'>): boolean {
    return sealed.aadVersion !== CURRENT_AAD_VERSION;
  }

  private unwrap(sealed: SealedSecret, binding: SecretBinding): Buffer {
    return this.ring.unwrapDataKey(
      sealed.masterKeyVersion,
      sealed.wrappedKey,
      bindingAad(binding, 'data-key', sealed.aadVersion),
    );
  }
}
