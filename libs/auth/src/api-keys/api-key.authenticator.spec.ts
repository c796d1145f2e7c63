import { ManualClock } from '@app/common';
import type { AuthFailureLimiter } from '@app/rate-limit';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { ApiKeyCache } from './api-key.cache';
import { generateApiKey } from './api-key-secret';
import type { ApiKeysStore } from './api-keys.store';
import type { ApiKeyEntity } from './entities/api-key.entity';
import type { LastUsedTracker } from './last-used.tracker';

const KEY_ID = '11111111-1111-4111-8111-111111111111';

function setUp(row: Partial<ApiKeyEntity> | null, ttlMs = 1000, clock = new ManualClock()) {
  const findOneBy = jest
    .fn()
    .mockResolvedValue(
      row === null
        ? null
        : { id: KEY_ID, role: 'admin', tenantId: null, expiresAt: null, revokedAt: null, lastUsedAt: null, ...row },
    );
  const cache = new ApiKeyCache(ttlMs, 10, clock);
  const recordFailure = jest.fn().mockResolvedValue(0);
  const sut = new ApiKeyAuthenticator(
    { findByHash: findOneBy } as unknown as ApiKeysStore,
    { touch: jest.fn() } as unknown as LastUsedTracker,
    cache,
    { recordFailure } as unknown as AuthFailureLimiter,
    clock,
  );
  return { sut, findOneBy, cache, recordFailure, advance: (ms: number) => clock.advance(ms) };
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: { code: string }) => error.code,
  );

describe('ApiKeyAuthenticator', () => {
  const { key } = generateApiKey('admin');

  it('looks a key up once per TTL', async () => {
    const { sut, findOneBy, advance } = setUp({});
    expect(await sut.authenticate(key, '192.0.2.1')).toEqual({ keyId: KEY_ID, role: 'admin', tenantId: null });
    await sut.authenticate(key, '192.0.2.1');
    expect(findOneBy).toHaveBeenCalledTimes(1);
    advance(1000);
    await sut.authenticate(key, '192.0.2.1');
    expect(findOneBy).toHaveBeenCalledTimes(2);
  });

  it('looks the key up on every request when the TTL is 0', async () => {
    const { sut, findOneBy } = setUp({}, 0);
    await sut.authenticate(key, '192.0.2.1');
    await sut.authenticate(key, '192.0.2.1');
    expect(findOneBy).toHaveBeenCalledTimes(2);
  });

  it('re-checks expiry on a cache hit', async () => {
    const clock = new ManualClock();
    const { sut, findOneBy, advance } = setUp({ expiresAt: new Date(clock.now() + 300) }, 1000, clock);
    expect(await codeOf(sut.authenticate(key, '192.0.2.1'))).toBe('ok');
    advance(299);
    expect(await codeOf(sut.authenticate(key, '192.0.2.1'))).toBe('ok');
    advance(1); // expired, while the cache entry (1000 ms TTL) is still fresh
    expect(await codeOf(sut.authenticate(key, '192.0.2.1'))).toBe('expired_api_key');
    expect(findOneBy).toHaveBeenCalledTimes(1);
  });

  it('does not cache unknown or revoked keys', async () => {
    const unknown = setUp(null);
    expect(await codeOf(unknown.sut.authenticate(key, '192.0.2.1'))).toBe('invalid_api_key');
    expect(await codeOf(unknown.sut.authenticate(key, '192.0.2.1'))).toBe('invalid_api_key');
    expect(unknown.findOneBy).toHaveBeenCalledTimes(2);
    expect(unknown.cache.size).toBe(0);
    const revoked = setUp({ revokedAt: new Date() });
    expect(await codeOf(revoked.sut.authenticate(key, '192.0.2.1'))).toBe('revoked_api_key');
    expect(revoked.cache.size).toBe(0);
  });

  it('sends one query for the requests that miss the cache together', async () => {
    const { sut, findOneBy } = setUp({});
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => codeOf(sut.authenticate(key, '192.0.2.1'))));
    expect(answers).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(findOneBy).toHaveBeenCalledTimes(1);
  });

  it('charges each request that shares a failed lookup', async () => {
    const unknown = setUp(null);
    const answers = await Promise.all([1, 2, 3].map(() => codeOf(unknown.sut.authenticate(key, '192.0.2.1'))));
    expect(answers).toEqual(['invalid_api_key', 'invalid_api_key', 'invalid_api_key']);
    expect(unknown.findOneBy).toHaveBeenCalledTimes(1);
    expect(unknown.recordFailure).toHaveBeenCalledTimes(3);
  });

  it('does not let a request that starts after an eviction join a lookup from before it', async () => {
    const { sut, findOneBy, cache } = setUp({});
    const before = sut.authenticate(key, '192.0.2.1');
    cache.evictAll(); // a revocation committed while the first lookup is in flight
    const after = sut.authenticate(key, '192.0.2.1');
    await Promise.all([before, after]);
    expect(findOneBy).toHaveBeenCalledTimes(2);
  });
});
