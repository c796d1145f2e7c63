import fc from 'fast-check';
import { EnvelopeCipher, SealedSecret } from './envelope-cipher';
import { gcmSeal } from './aes-gcm';
import { MasterKeyRing } from './master-key-ring';
import { SecretBinding, bindingAad } from './secret-binding';
import { UnknownMasterKeyVersionError, VaultDecryptionError } from './vault-crypto.exception';

const v1 = MasterKeyRing.generateEntry('v1');
const v2 = MasterKeyRing.generateEntry('v2');
const binding: SecretBinding = {
  tenantId: 'tenant-a',
  connectionId: 'conn-1',
  secretVersion: 1,
  origin: 'https://eu2-cloud.acronis.com:443',
};
const secret = Buffer.from('client-secret-0123456789');

function flipBit(buffer: Buffer, index: number): Buffer {
  const copy = Buffer.from(buffer);
  copy[index] ^= 0x01;
  return copy;
}

describe('EnvelopeCipher', () => {
  const sut = new EnvelopeCipher(MasterKeyRing.parse(v1));

  it.each([
    ['empty', Buffer.alloc(0)],
    ['unicode', Buffer.from('пароль 🔑 密码', 'utf8')],
    ['64 KiB', Buffer.alloc(64 * 1024, 0xa5)],
  ])('round-trips a %s secret', (_name, plaintext) => {
    const sealed = sut.seal(plaintext, binding);

    expect(sealed.masterKeyVersion).toBe('v1');
    expect(sealed.wrappedKey).toHaveLength(12 + 16 + 32);
    expect(sealed.ciphertext).toHaveLength(12 + 16 + plaintext.length);
    expect(sut.open(sealed, binding).equals(plaintext)).toBe(true);
  });

  it('uses a fresh data key and nonce for every seal', () => {
    const first = sut.seal(secret, binding);
    const second = sut.seal(secret, binding);

    expect(first.ciphertext.equals(second.ciphertext)).toBe(false);
    expect(first.wrappedKey.equals(second.wrappedKey)).toBe(false);
    expect(first.ciphertext.includes(secret)).toBe(false);
  });

  it('round-trips any secret and binding (property)', () => {
    const bindings = fc.record({
      tenantId: fc.string(),
      connectionId: fc.string(),
      secretVersion: fc.nat(),
      origin: fc.string({ minLength: 1 }),
    });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), bindings, (bytes, anyBinding) => {
        const plaintext = Buffer.from(bytes);
        return sut.open(sut.seal(plaintext, anyBinding), anyBinding).equals(plaintext);
      }),
    );
  });

  describe('rejects tampering with VaultDecryptionError', () => {
    const sealed = sut.seal(secret, binding);
    const parts: Array<[string, keyof SealedSecret, number]> = [
      ['ciphertext nonce', 'ciphertext', 0],
      ['ciphertext tag', 'ciphertext', 12],
      ['ciphertext body', 'ciphertext', 28],
      ['ciphertext last byte', 'ciphertext', sealed.ciphertext.length - 1],
      ['wrapped key nonce', 'wrappedKey', 5],
      ['wrapped key tag', 'wrappedKey', 20],
      ['wrapped key body', 'wrappedKey', 40],
    ];

    it.each(parts)('a flipped bit in the %s', (_name, field, index) => {
      const tampered = { ...sealed, [field]: flipBit(sealed[field] as Buffer, index) };

      expect(() => sut.open(tampered, binding)).toThrow(VaultDecryptionError);
    });

    it.each([
      ['tenant', { ...binding, tenantId: 'tenant-b' }],
      ['connection (same tenant)', { ...binding, connectionId: 'conn-2' }],
      ['secret version', { ...binding, secretVersion: 2 }],
      ['boundary shift between fields', { ...binding, tenantId: 'tenant-ac', connectionId: 'onn-1' }],
      ['origin (host)', { ...binding, origin: 'https://attacker.example:443' }],
      ['origin (scheme)', { ...binding, origin: 'http://eu2-cloud.acronis.com:443' }],
      ['origin (port)', { ...binding, origin: 'https://eu2-cloud.acronis.com:8443' }],
    ])('a blob opened under another %s', (_name, other) => {
      expect(() => sut.open(sealed, other)).toThrow(VaultDecryptionError);
    });

    it('a ciphertext copied onto another row that has its own valid wrapped key', () => {
      const otherRow = { ...binding, connectionId: 'conn-2' };
      const victim = sut.seal(Buffer.from('other'), otherRow);

      expect(() => sut.open({ ...victim, ciphertext: sealed.ciphertext }, otherRow)).toThrow(VaultDecryptionError);
    });

    it('swapping the wrapped key and the ciphertext', () => {
      const key32 = sut.seal(Buffer.alloc(32, 1), binding);
      const swapped = { ...key32, wrappedKey: key32.ciphertext, ciphertext: key32.wrappedKey };

      expect(() => sut.open(swapped, binding)).toThrow(VaultDecryptionError);
    });

    it.each([
      ['ciphertext shorter than nonce + tag', 'ciphertext', 27],
      ['empty ciphertext', 'ciphertext', 0],
      ['truncated wrapped key', 'wrappedKey', 59],
      ['empty wrapped key', 'wrappedKey', 0],
    ] as Array<[string, keyof SealedSecret, number]>)('%s', (_name, field, length) => {
      const truncated = { ...sealed, [field]: (sealed[field] as Buffer).subarray(0, length) };

      expect(() => sut.open(truncated, binding)).toThrow(VaultDecryptionError);
    });

    it('an over-long wrapped key', () => {
      const extended = { ...sealed, wrappedKey: Buffer.concat([sealed.wrappedKey, Buffer.alloc(1)]) };

      expect(() => sut.open(extended, binding)).toThrow(VaultDecryptionError);
    });

    it('an authentic wrapped key of the wrong length (no RangeError leaks out)', () => {
      const ring = MasterKeyRing.parse(v1);
      const { wrappedKey } = ring.wrapDataKey(Buffer.alloc(31), bindingAad(binding, 'data-key', 2));

      expect(() => new EnvelopeCipher(ring).open({ ...sealed, wrappedKey }, binding)).toThrow(VaultDecryptionError);
    });

    it('a blob relabelled with another configured master-key version', () => {
      const both = new EnvelopeCipher(MasterKeyRing.parse(`${v2},${v1}`));

      expect(() => both.open({ ...sealed, masterKeyVersion: 'v2' }, binding)).toThrow(VaultDecryptionError);
    });

    it('with a problem detail that reveals nothing', () => {
      const error = (() => {
        try {
          sut.open({ ...sealed, ciphertext: flipBit(sealed.ciphertext, 30) }, binding);
        } catch (caught) {
          return caught as VaultDecryptionError;
        }
      })();

      expect(error).toMatchObject({ status: 500, code: 'vault_decryption_failed' });
      expect(error?.detail).not.toContain(binding.tenantId);
    });
  });

  describe('master key rotation', () => {
    const old = new EnvelopeCipher(MasterKeyRing.parse(v1));
    const rotated = new EnvelopeCipher(MasterKeyRing.parse(`${v2},${v1}`));
    const retired = new EnvelopeCipher(MasterKeyRing.parse(v2));

    it('opens old secrets, re-wraps only the data key, then works without the old key', () => {
      const sealed = old.seal(secret, binding);
      expect(rotated.needsRewrap(sealed)).toBe(true);
      expect(rotated.open(sealed, binding).equals(secret)).toBe(true);

      const rewrapped = rotated.rewrap(sealed, binding);

      expect(rewrapped.masterKeyVersion).toBe('v2');
      expect(rewrapped.ciphertext.equals(sealed.ciphertext)).toBe(true);
      expect(rewrapped.wrappedKey.equals(sealed.wrappedKey)).toBe(false);
      expect(rotated.needsRewrap(rewrapped)).toBe(false);
      expect(retired.open(rewrapped, binding).equals(secret)).toBe(true);
      expect(() => retired.open(sealed, binding)).toThrow(UnknownMasterKeyVersionError);
    });

    it('names the missing version', () => {
      const sealed = old.seal(secret, binding);

      expect(() => retired.open(sealed, binding)).toThrow(
        expect.objectContaining({ status: 500, code: 'vault_unknown_master_key', version: 'v1' }),
      );
      expect(() => retired.rewrap(sealed, binding)).toThrow(UnknownMasterKeyVersionError);
    });

    it('returns the same object when already under the current version', () => {
      const sealed = rotated.seal(secret, binding);

      expect(rotated.rewrap(sealed, binding)).toBe(sealed);
    });

    it('refuses to re-wrap a wrapped key bound to another row', () => {
      const sealed = old.seal(secret, binding);

      expect(() => rotated.rewrap(sealed, { ...binding, tenantId: 'tenant-b' })).toThrow(VaultDecryptionError);
    });
  });

  describe('associated-data layouts', () => {
    /** What the broker sealed before AAD version 2: the same envelope without the origin. */
    function sealLegacy(plaintext: Buffer, legacy: SecretBinding): SealedSecret {
      const ring = MasterKeyRing.parse(v1);
      const dataKey = Buffer.alloc(32, 7);
      const ciphertext = gcmSeal(dataKey, plaintext, bindingAad(legacy, 'secret', 1));
      const { masterKeyVersion, wrappedKey } = ring.wrapDataKey(dataKey, bindingAad(legacy, 'data-key', 1));
      return { aadVersion: 1, masterKeyVersion, wrappedKey, ciphertext };
    }

    it('seals under layout 2 and binds the origin', () => {
      expect(sut.seal(secret, binding).aadVersion).toBe(2);
    });

    it('opens a legacy (layout 1) blob for whatever origin, and upgrades it to one bound to the given origin', () => {
      const legacy = sealLegacy(secret, binding);
      expect(sut.open(legacy, { ...binding, origin: 'https://anything.example:443' }).equals(secret)).toBe(true);
      expect(sut.needsUpgrade(legacy)).toBe(true);

      const upgraded = sut.upgrade(legacy, binding);

      expect(upgraded.aadVersion).toBe(2);
      expect(sut.needsUpgrade(upgraded)).toBe(false);
      expect(sut.open(upgraded, binding).equals(secret)).toBe(true);
      expect(() => sut.open(upgraded, { ...binding, origin: 'https://attacker.example:443' })).toThrow(
        VaultDecryptionError,
      );
    });

    it('never opens a blob under a layout other than its own (no downgrade by relabelling)', () => {
      const sealed = sut.seal(secret, binding);
      expect(() => sut.open({ ...sealed, aadVersion: 1 }, binding)).toThrow(VaultDecryptionError);
      expect(() => sut.open({ ...sealLegacy(secret, binding), aadVersion: 2 }, binding)).toThrow(VaultDecryptionError);
    });

    it('keeps the layout when only the master key is rotated', () => {
      const rotated = new EnvelopeCipher(MasterKeyRing.parse(`${v2},${v1}`));
      const legacy = sealLegacy(secret, binding);
      const rewrapped = rotated.rewrap(legacy, binding);
      expect(rewrapped).toMatchObject({ aadVersion: 1, masterKeyVersion: 'v2' });
      expect(rotated.open(rewrapped, binding).equals(secret)).toBe(true);
    });
  });

  it.each([-1, 1.5, Number.NaN])('rejects secret version %p as a programming error', (secretVersion) => {
    expect(() => sut.seal(secret, { ...binding, secretVersion })).toThrow(TypeError);
  });
});
