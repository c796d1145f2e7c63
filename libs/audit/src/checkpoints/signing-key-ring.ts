import { createPrivateKey, createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';

const VERSION_PATTERN = /^v[1-9]\d{0,8}$/;
const SEED_BYTES = 32;
const ENTRY_SHAPE = 'v<N>:<base64 of a 32-byte Ed25519 seed>';
/** PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410): Node's crypto takes the key in this form. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export class SigningKeyConfigError extends Error {}

export interface SigningPublicKey {
  version: string;
  /** 32-byte raw Ed25519 public key. */
  publicKey: Buffer;
}

/**
 * The audit checkpoint signing keys (`BROKER_AUDIT_SIGNING_KEYS=v2:<base64 seed>,v1:<…>`),
 * versioned like the vault's master keys: the highest version signs, every listed version's
 * public key verifies. Private keys live only in private fields; logging the ring shows versions.
 */
export class AuditSigningKeyRing {
  readonly #keys: ReadonlyMap<string, { privateKey: KeyObject; publicKey: Buffer }>;
  /** Newest first. */
  readonly versions: readonly string[];
  readonly current: { readonly version: string };

  private constructor(keys: Map<string, { privateKey: KeyObject; publicKey: Buffer }>) {
    this.#keys = keys;
    this.versions = [...keys.keys()].sort((a, b) => Number(b.slice(1)) - Number(a.slice(1)));
    this.current = { version: this.versions[0] };
  }

  static parse(text: string): AuditSigningKeyRing {
    if (text.trim() === '') throw new SigningKeyConfigError(`signing key list is empty; expected ${ENTRY_SHAPE}[,...]`);
    const keys = new Map<string, { privateKey: KeyObject; publicKey: Buffer }>();
    text.split(',').forEach((raw, index) => {
      const entry = raw.trim();
      const separator = entry.indexOf(':');
      const version = separator === -1 ? '' : entry.slice(0, separator);
      // A malformed entry may be a bare key that lost its prefix, so only a valid version is echoed.
      if (!VERSION_PATTERN.test(version))
        throw new SigningKeyConfigError(`signing key entry ${index + 1} is malformed; expected ${ENTRY_SHAPE}`);
      if (keys.has(version))
        throw new SigningKeyConfigError(`signing key entry ${index + 1} repeats version ${version}`);
      const encoded = entry.slice(separator + 1);
      const seed = Buffer.from(encoded, 'base64');
      if (seed.toString('base64') !== encoded || seed.length !== SEED_BYTES) {
        seed.fill(0);
        throw new SigningKeyConfigError(
          `signing key entry ${index + 1} (${version}) is not the canonical base64 of ${SEED_BYTES} bytes`,
        );
      }
      const der = Buffer.concat([PKCS8_ED25519_PREFIX, seed]);
      const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
      seed.fill(0);
      der.fill(0);
      const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
      keys.set(version, { privateKey, publicKey: Buffer.from(String(jwk.x), 'base64url') });
    });
    return new AuditSigningKeyRing(keys);
  }

  static generateEntry(version = 'v1'): string {
    if (!VERSION_PATTERN.test(version)) throw new SigningKeyConfigError('invalid signing key version; expected v<N>');
    return `${version}:${randomBytes(SEED_BYTES).toString('base64')}`;
  }

  /** Newest first. */
  publicKeys(): SigningPublicKey[] {
    return this.versions.map((version) => ({ version, publicKey: this.#key(version).publicKey }));
  }

  /** Ed25519 (RFC 8032, Node's crypto) over `message` with the current key. */
  sign(message: Buffer): { version: string; publicKey: Buffer; signature: Buffer } {
    const { version } = this.current;
    const key = this.#key(version);
    return { version, publicKey: key.publicKey, signature: sign(null, message, key.privateKey) };
  }

  #key(version: string) {
    const key = this.#keys.get(version);
    if (!key) throw new SigningKeyConfigError(`unknown signing key version ${version}`);
    return key;
  }
}
