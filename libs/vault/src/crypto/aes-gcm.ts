import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { VaultDecryptionError } from './vault-crypto.exception';

const ALGORITHM = 'aes-256-gcm';
export const KEY_LENGTH = 32;
export const NONCE_LENGTH = 12;
export const TAG_LENGTH = 16;
export const GCM_OVERHEAD = NONCE_LENGTH + TAG_LENGTH;

/**
 * Byte layout of every blob the vault stores: nonce (12) ‖ tag (16) ‖ AES-256-GCM ciphertext
 * (same length as the plaintext). Nonces are random: each data key encrypts exactly one
 * plaintext, and a key-encryption key wraps far fewer than the 2^32 keys that the random-nonce
 * bound of NIST SP 800-38D allows.
 */
export function gcmSeal(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const nonce = randomBytes(NONCE_LENGTH);
  const cipher = createCipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_LENGTH });
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, cipher.getAuthTag(), body]);
}

export function gcmOpen(key: Buffer, blob: Buffer, aad: Buffer): Buffer {
  if (blob.length < GCM_OVERHEAD) throw new VaultDecryptionError();
  const nonce = blob.subarray(0, NONCE_LENGTH);
  const decipher = createDecipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_LENGTH });
  decipher.setAuthTag(blob.subarray(NONCE_LENGTH, GCM_OVERHEAD));
  decipher.setAAD(aad);
  const plaintext = decipher.update(blob.subarray(GCM_OVERHEAD));
  try {
    decipher.final();
  } catch {
    // Unauthenticated output must never escape, not even in memory we no longer reference.
    plaintext.fill(0);
    throw new VaultDecryptionError();
  }
  return plaintext;
}
