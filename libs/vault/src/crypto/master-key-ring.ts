import { hkdfSync, randomBytes } from 'node:crypto';
import { GCM_OVERHEAD, KEY_LENGTH, gcmOpen, gcmSeal } from './aes-gcm';
import { MasterKeyConfigError, UnknownMasterKeyVersionError, VaultDecryptionError } from './vault-crypto.exception';

const VERSION_PATTERN = /^v[1-9]\d{0,8}$/;
const ENTRY_SHAPE = 'v<N>:<base64 of 32 bytes>';
const KEK_INFO = 'sso-broker/vault/kek';

/**
 * The configured master keys (e.g. `BROKER_MASTER_KEYS=v2:<base64>,v1:<base64>`). The highest
 * version wraps new data keys; every listed version unwraps. Key material lives only in private
 * fields, so logging or serialising the ring shows versions and nothing else.
 */
export class MasterKeyRing {
  readonly #keks: ReadonlyMap<string, Buffer>;
  /** Newest first. */
  readonly versions: readonly string[];
  readonly current: { readonly version: string };

  private constructor(keks: Map<string, Buffer>) {
    this.#keks = keks;
    this.versions = [...keks.keys()].sort((a, b) => versionNumber(b) - versionNumber(a));
    this.current = { version: this.versions[0] };
  }

  static parse(text: string): MasterKeyRing {
    if (text.trim() === '') throw new MasterKeyConfigError(`master key list is empty; expected ${ENTRY_SHAPE}[,...]`);
    const keks = new Map<string, Buffer>();
    text.split(',').forEach((entry, index) => {
      const { version, key } = parseEntry(entry.trim(), index + 1);
      if (keks.has(version)) {
        throw new MasterKeyConfigError(`master key entry ${index + 1} repeats version ${version}`);
      }
      keks.set(version, deriveKeyEncryptionKey(key));
      key.fill(0);
    });
    return new MasterKeyRing(keks);
  }

  static generateEntry(version = 'v1'): string {
    if (!VERSION_PATTERN.test(version)) throw new MasterKeyConfigError(`invalid master key version; expected v<N>`);
    return `${version}:${randomBytes(KEY_LENGTH).toString('base64')}`;
  }

  has(version: string): boolean {
    return this.#keks.has(version);
  }

  wrapDataKey(dataKey: Buffer, aad: Buffer): { masterKeyVersion: string; wrappedKey: Buffer } {
    const masterKeyVersion = this.current.version;
    return { masterKeyVersion, wrappedKey: gcmSeal(this.#kek(masterKeyVersion), dataKey, aad) };
  }

  unwrapDataKey(masterKeyVersion: string, wrappedKey: Buffer, aad: Buffer): Buffer {
    const kek = this.#kek(masterKeyVersion);
    if (wrappedKey.length !== GCM_OVERHEAD + KEY_LENGTH) throw new VaultDecryptionError();
    return gcmOpen(kek, wrappedKey, aad);
  }

  #kek(version: string): Buffer {
    const kek = this.#keks.get(version);
    if (!kek) throw new UnknownMasterKeyVersionError(version);
    return kek;
  }
}

function parseEntry(entry: string, position: number): { version: string; key: Buffer } {
  const separator = entry.indexOf(':');
  const version = separator === -1 ? '' : entry.slice(0, separator);
  // A malformed entry may be a bare key that lost its prefix, so only a valid version is echoed.
  if (!VERSION_PATTERN.test(version)) {
    throw new MasterKeyConfigError(`master key entry ${position} is malformed; expected ${ENTRY_SHAPE}`);
  }
  const encoded = entry.slice(separator + 1);
  const key = Buffer.from(encoded, 'base64');
  if (key.toString('base64') !== encoded) {
    key.fill(0);
    throw new MasterKeyConfigError(`master key entry ${position} (${version}) is not canonical base64`);
  }
  if (key.length !== KEY_LENGTH) {
    key.fill(0);
    throw new MasterKeyConfigError(
      `master key entry ${position} (${version}) decodes to ${key.length} bytes; expected ${KEY_LENGTH}`,
    );
  }
  return { version, key };
}

/**
 * The configured key never encrypts anything itself: HKDF-SHA256 with a fixed purpose label
 * derives the key-encryption key (once per entry, at parse time). That is domain separation: the
 * same master key can later derive other keys (e.g. for HMACs) that stay independent of this
 * one, and raw configured material never touches stored data.
 */
function deriveKeyEncryptionKey(masterKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), KEK_INFO, KEY_LENGTH));
}

function versionNumber(version: string): number {
  return Number(version.slice(1));
}
