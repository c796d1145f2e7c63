import { createHash } from 'node:crypto';
import { hashLaunchToken, newLaunchToken } from './launch-token';

describe('launch tokens', () => {
  it('are 256-bit base64url strings stored only as their SHA-256', () => {
    const sut = newLaunchToken();
    expect(sut.opaque).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(sut.opaque, 'base64url')).toHaveLength(32);
    expect(sut.hash.equals(createHash('sha256').update(sut.opaque).digest())).toBe(true);
    expect(hashLaunchToken(sut.opaque)?.equals(sut.hash)).toBe(true);
  });

  it('are fresh every time', () => {
    const seen = new Set(Array.from({ length: 1000 }, () => newLaunchToken().opaque));
    expect(seen.size).toBe(1000);
  });

  it('refuses to hash what cannot be a token', () => {
    for (const bad of ['', 'short', 'a'.repeat(44), `${'a'.repeat(42)}=`, `${'a'.repeat(42)}/`]) {
      expect(hashLaunchToken(bad)).toBeUndefined();
    }
  });
});
