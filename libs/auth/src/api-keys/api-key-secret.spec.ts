import { createHash } from 'node:crypto';
import { describeApiKey, generateApiKey, hashApiKey, isWellFormedAdminKey, isWellFormedApiKey } from './api-key-secret';

describe('api key secrets', () => {
  it.each([
    ['admin', 'sbk_a_'],
    ['portal', 'sbk_p_'],
    ['auditor', 'sbk_r_'],
  ] as const)('a %s key starts with %s and carries 32 random bytes', (role, start) => {
    const { key, prefix, hash } = generateApiKey(role);
    expect(key.startsWith(start)).toBe(true);
    expect(key).toHaveLength(6 + 43);
    expect(Buffer.from(key.slice(6), 'base64url')).toHaveLength(32);
    expect(prefix).toBe(key.slice(0, 12));
    expect(hash.equals(createHash('sha256').update(key).digest())).toBe(true);
    expect(isWellFormedApiKey(key)).toBe(true);
    expect(isWellFormedAdminKey(key)).toBe(role === 'admin');
  });

  it('never repeats a key', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateApiKey('portal').key));
    expect(keys.size).toBe(1000);
  });

  it('hashes to 32 bytes, deterministically', () => {
    expect(hashApiKey('x')).toHaveLength(32);
    expect(hashApiKey('x').equals(hashApiKey('x'))).toBe(true);
    expect(hashApiKey('x').equals(hashApiKey('y'))).toBe(false);
  });

  it.each([
    '',
    'sbk_a_',
    'sbk_x_' + 'A'.repeat(43),
    'sbk_a_' + 'A'.repeat(42),
    'sbk_a_' + 'A'.repeat(44),
    'sbk_a_' + 'A'.repeat(42) + '=',
    'SBK_A_' + 'A'.repeat(43),
    ' sbk_a_' + 'A'.repeat(43),
  ])('rejects the malformed key %j', (candidate) => {
    expect(isWellFormedApiKey(candidate)).toBe(false);
  });

  it('describes a given key without changing it', () => {
    const key = 'sbk_a_' + 'B'.repeat(43);
    expect(describeApiKey(key)).toEqual({ key, prefix: 'sbk_a_BBBBBB', hash: hashApiKey(key) });
  });
});
