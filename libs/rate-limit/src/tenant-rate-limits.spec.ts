import { DataSource } from 'typeorm';
import { TenantRateLimits } from './tenant-rate-limits';

function limitsOver(query: jest.Mock): TenantRateLimits {
  return new TenantRateLimits({ query } as unknown as DataSource);
}

describe('TenantRateLimits', () => {
  afterEach(() => jest.restoreAllMocks());

  it('answers the tenant override, or the fallback when it has none or the lookup fails', async () => {
    const query = jest
      .fn()
      .mockResolvedValueOnce([{ rate_limit_per_minute: 42 }])
      .mockResolvedValueOnce([{ rate_limit_per_minute: null }])
      .mockRejectedValueOnce(new Error('down'));
    const limits = limitsOver(query);

    expect(await limits.perMinute('t1', 600)).toBe(42);
    expect(await limits.perMinute('t2', 600)).toBe(600);
    expect(await limits.perMinute('t3', 600)).toBe(600);
  });

  it('lets concurrent requests of a tenant share one lookup, and looks again once the entry is 5 s old', async () => {
    let now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    let answer!: (rows: unknown) => void;
    const query = jest.fn(() => new Promise((resolve) => (answer = resolve)));
    const limits = limitsOver(query);

    const concurrent = [limits.perMinute('t1', 600), limits.perMinute('t1', 600), limits.perMinute('t1', 600)];
    answer([{ rate_limit_per_minute: 7 }]);
    expect(await Promise.all(concurrent.map((limit) => Promise.resolve(limit)))).toEqual([7, 7, 7]);
    expect(query).toHaveBeenCalledTimes(1);

    now += 4_999;
    expect(await limits.perMinute('t1', 600)).toBe(7);
    expect(query).toHaveBeenCalledTimes(1);

    now += 1;
    const fresh = limits.perMinute('t1', 600);
    answer([{ rate_limit_per_minute: 9 }]);
    expect(await fresh).toBe(9);
    expect(query).toHaveBeenCalledTimes(2);
  });

  it('answers a plain number once the lookup has answered, and a promise until then', async () => {
    let answer!: (rows: unknown) => void;
    const limits = limitsOver(jest.fn(() => new Promise((resolve) => (answer = resolve))));

    const first = limits.perMinute('t1', 600);
    expect(first).toBeInstanceOf(Promise);
    answer([{ rate_limit_per_minute: null }]);
    expect(await first).toBe(600);
    expect(limits.perMinute('t1', 600)).toBe(600);
    expect(limits.perMinute('t1', 50)).toBe(50);
  });
});
