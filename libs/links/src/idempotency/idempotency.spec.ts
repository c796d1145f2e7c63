import { idempotencyKeyHash, openAnswer, sealAnswer } from './answer-seal';
import { canonicalJson, requestHash } from './request-hash';

describe('idempotency helpers', () => {
  const tenant = '7f6c0a52-7d5e-4a8e-9d7c-0c8b1e2f3a4b';
  const answer = { id: 'x', url: 'https://a.example/api/2/idp/external-login#ott=SECRET' };

  it('seals an answer that only the same key and tenant open', () => {
    const sealed = sealAnswer('key-0123456789abcdef', tenant, answer);
    expect(sealed.toString('latin1')).not.toContain('SECRET');
    expect(openAnswer('key-0123456789abcdef', tenant, sealed)).toEqual(answer);
    expect(() => openAnswer('key-0123456789abcdeX', tenant, sealed)).toThrow();
    expect(() => openAnswer('key-0123456789abcdef', tenant.replace('7f', '8f'), sealed)).toThrow();
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1] ^= 1;
    expect(() => openAnswer('key-0123456789abcdef', tenant, tampered)).toThrow();
  });

  it('stores a key hash that differs per key and is not the key', () => {
    expect(idempotencyKeyHash('a')).toHaveLength(32);
    expect(idempotencyKeyHash('a').equals(idempotencyKeyHash('b'))).toBe(false);
  });

  it('hashes bodies canonically: key order does not matter, values do', () => {
    const a = { connection: 'c', user: { login: 'x' }, delivery: 'direct' };
    const b = { delivery: 'direct', user: { login: 'x' }, connection: 'c', target_uri: undefined };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(requestHash(a).equals(requestHash(b))).toBe(true);
    expect(requestHash(a).equals(requestHash({ ...a, user: { login: 'y' } }))).toBe(false);
  });
});
