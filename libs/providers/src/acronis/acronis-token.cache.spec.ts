import { AcronisTokenCache, IssuedAccessToken } from './acronis-token.cache';

describe('AcronisTokenCache', () => {
  let now = 1_000_000;
  const sut = () => new AcronisTokenCache(10, { now: () => now });
  const token = (accessToken: string, lifetimeMs?: number): IssuedAccessToken => ({
    accessToken,
    source: 'client_credentials',
    expiresAt: lifetimeMs === undefined ? undefined : now + lifetimeMs,
  });

  it('keeps a 2 h token until 60 s before expiry', async () => {
    const cache = sut();
    const fetch = jest.fn().mockResolvedValueOnce(token('a', 7_200_000)).mockResolvedValueOnce(token('b', 7_200_000));
    await cache.get('k', fetch);
    now += 7_200_000 - 61_000;
    expect((await cache.get('k', fetch)).accessToken).toBe('a');
    now += 2_000;
    expect((await cache.get('k', fetch)).accessToken).toBe('b');
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('keeps a very short token for half its lifetime only', async () => {
    const cache = sut();
    const fetch = jest.fn().mockResolvedValueOnce(token('a', 10_000)).mockResolvedValueOnce(token('b', 10_000));
    await cache.get('k', fetch);
    now += 4_999;
    expect((await cache.get('k', fetch)).accessToken).toBe('a');
    now += 2;
    expect((await cache.get('k', fetch)).accessToken).toBe('b');
  });

  it('never caches a token without a known expiry', async () => {
    const cache = sut();
    const fetch = jest.fn().mockResolvedValue(token('a'));
    await cache.get('k', fetch);
    await cache.get('k', fetch);
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('shares one in-flight fetch and forgets a failed one', async () => {
    const cache = sut();
    const fetch = jest.fn().mockRejectedValueOnce(new Error('down')).mockResolvedValue(token('a', 7_200_000));
    const results = await Promise.allSettled([cache.get('k', fetch), cache.get('k', fetch)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect(cache.get('k', fetch)).resolves.toMatchObject({ accessToken: 'a' });
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('invalidates only the rejected token', async () => {
    const cache = sut();
    await cache.get('k', async () => token('a', 7_200_000));
    cache.invalidate('k', 'other');
    expect((await cache.get('k', async () => token('b', 7_200_000))).accessToken).toBe('a');
    cache.invalidate('k', 'a');
    expect((await cache.get('k', async () => token('b', 7_200_000))).accessToken).toBe('b');
  });
});
