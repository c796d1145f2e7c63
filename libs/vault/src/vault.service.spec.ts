import { MasterKeyRing } from './crypto/master-key-ring';
import { VaultDecryptionError } from './crypto/vault-crypto.exception';
import { VaultService } from './vault.service';

describe('VaultService', () => {
  const binding = { tenantId: 't-1', connectionId: 'c-1', secretVersion: 1, origin: 'https://w.example:443' };
  const v1 = MasterKeyRing.generateEntry('v1');
  const sut = new VaultService(MasterKeyRing.parse(v1));

  it('round-trips a JSON credential and never stores it readably', () => {
    const sealed = sut.seal(binding, { client_id: 'id', client_secret: 'very-secret-value' });
    expect(sealed.masterKeyVersion).toBe('v1');
    expect(sealed.ciphertext.toString('latin1')).not.toContain('very-secret-value');
    expect(sut.open(binding, sealed)).toEqual({ client_id: 'id', client_secret: 'very-secret-value' });
  });

  it('refuses a sealed credential under another binding', () => {
    const sealed = sut.seal(binding, { api_key: 'k' });
    expect(() => sut.open({ ...binding, secretVersion: 2 }, sealed)).toThrow(VaultDecryptionError);
    expect(() => sut.open({ ...binding, connectionId: 'c-2' }, sealed)).toThrow(VaultDecryptionError);
    expect(() => sut.open({ ...binding, tenantId: 't-2' }, sealed)).toThrow(VaultDecryptionError);
    expect(() => sut.open({ ...binding, origin: 'https://other.example:443' }, sealed)).toThrow(VaultDecryptionError);
  });

  it('rewraps under the newest key without touching the ciphertext', () => {
    const sealed = sut.seal(binding, { api_key: 'k' });
    const rotated = new VaultService(MasterKeyRing.parse(`${MasterKeyRing.generateEntry('v2')},${v1}`));
    expect(rotated.needsRewrap(sealed)).toBe(true);
    const rewrapped = rotated.rewrap(binding, sealed);
    expect(rewrapped.masterKeyVersion).toBe('v2');
    expect(rewrapped.ciphertext.equals(sealed.ciphertext)).toBe(true);
    expect(rotated.needsRewrap(rewrapped)).toBe(false);
    expect(rotated.open(binding, rewrapped)).toEqual({ api_key: 'k' });
  });
});
