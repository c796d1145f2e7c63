import { legacyAdminToken } from './flussonic-admin-token';

describe('legacyAdminToken', () => {
  it('matches the vendor test vector', () => {
    expect(legacyAdminToken('HELLO', '20a666', 1487258700)).toBe('20a666:1487258700:4b60f36de708e5b3472155db2fea990a');
  });

  it('uses a fresh salt and the current UTC second by default', () => {
    const before = Math.floor(Date.now() / 1000);
    const [a, b] = [legacyAdminToken('k'), legacyAdminToken('k')];
    expect(a).toMatch(/^[0-9a-f]{16}:\d{10}:[0-9a-f]{32}$/);
    expect(a.split(':')[0]).not.toBe(b.split(':')[0]);
    expect(Number(a.split(':')[1])).toBeGreaterThanOrEqual(before);
  });

  it('never hands out a salt twice, across many refills of its random pool', () => {
    const salts = new Set(Array.from({ length: 5_000 }, () => legacyAdminToken('k').split(':')[0]));
    expect(salts.size).toBe(5_000);
    expect([...salts].every((salt) => /^[0-9a-f]{16}$/.test(salt) && salt !== '0'.repeat(16))).toBe(true);
  });
});
