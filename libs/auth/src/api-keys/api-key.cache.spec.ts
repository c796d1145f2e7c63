import { ManualClock } from '@app/common';
import { ApiKeyCache, CachedApiKey } from './api-key.cache';

const TENANT_A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';

function keyOf(keyId: string, tenantId: string | null = null): CachedApiKey {
  return { keyId, role: tenantId === null ? 'admin' : 'portal', tenantId, expiresAt: null, lastUsedAt: null };
}

function newCache(ttlMs = 1000, maxEntries = 10) {
  const clock = new ManualClock(1_000_000);
  const cache = new ApiKeyCache(ttlMs, maxEntries, clock);
  return { cache, advance: (ms: number) => clock.advance(ms) };
}

describe('ApiKeyCache', () => {
  it('serves an entry until its TTL has passed, then forgets it', () => {
    const { cache, advance } = newCache(1000);
    cache.set('h1', keyOf('k1'), cache.currentGeneration());
    advance(999);
    expect(cache.get('h1')?.keyId).toBe('k1');
    advance(1);
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('stores nothing when the TTL is 0', () => {
    const { cache } = newCache(0);
    cache.set('h1', keyOf('k1'), cache.currentGeneration());
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('never holds more than maxEntries, dropping the oldest first', () => {
    const { cache } = newCache(1000, 3);
    for (const n of [1, 2, 3, 4]) cache.set(`h${n}`, keyOf(`k${n}`), cache.currentGeneration());
    expect(cache.size).toBe(3);
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.get('h4')?.keyId).toBe('k4');
  });

  it('evicts one key by id and every key of a deleted tenant', () => {
    const { cache } = newCache();
    cache.set('h1', keyOf('k1'), cache.currentGeneration());
    cache.set('h2', keyOf('k2', TENANT_A), cache.currentGeneration());
    cache.set('h3', keyOf('k3', TENANT_A), cache.currentGeneration());
    cache.evictKey('k1');
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.get('h2')?.keyId).toBe('k2');
    cache.evictTenant(TENANT_A);
    expect(cache.size).toBe(0);
  });

  it('empties itself when told to (the revocation listener was lost), refusing lookups that started before', () => {
    const { cache } = newCache();
    cache.set('h1', keyOf('k1'), cache.currentGeneration());
    cache.set('h2', keyOf('k2', TENANT_A), cache.currentGeneration());
    const before = cache.currentGeneration();
    cache.evictAll();
    expect([cache.get('h1'), cache.get('h2'), cache.size]).toEqual([undefined, undefined, 0]);
    cache.set('h1', keyOf('k1'), before);
    expect(cache.get('h1')).toBeUndefined();
  });

  it('refuses to store a lookup that started before an eviction (it may have read the row before the revocation)', () => {
    const { cache } = newCache();
    const readAt = cache.currentGeneration();
    cache.evictKey('k1');
    cache.set('h1', keyOf('k1'), readAt);
    expect(cache.get('h1')).toBeUndefined();
    cache.set('h1', keyOf('k1'), cache.currentGeneration());
    expect(cache.get('h1')?.keyId).toBe('k1');
  });
});
