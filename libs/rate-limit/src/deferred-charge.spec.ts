import { DeferredCharge } from './deferred-charge';
import type { BucketCharge, PostgresThrottlerStorage } from './postgres-throttler.storage';
import { RateLimitedException } from './rate-limited.exception';

const CHARGES: BucketCharge[] = [
  { key: 'key:k1', ttl: 60_000, limit: 10, blockDuration: 0 },
  { key: 'tenant:t1', ttl: 60_000, limit: 20, blockDuration: 0 },
];

function setUp() {
  const storage = { chargeOrRefuse: jest.fn(async () => undefined), chargeInOrder: jest.fn(async () => []) };
  return { storage, charge: new DeferredCharge(CHARGES, storage as unknown as PostgresThrottlerStorage) };
}

describe('DeferredCharge', () => {
  it('is made once, by whichever of its three ways comes first', async () => {
    const folded = setUp();
    const prelude = folded.charge.asPrelude();
    expect(prelude?.params).toEqual(['key:k1', 60_000, 10, 0, 'tenant:t1', 60_000, 20, 0]);
    await folded.charge.chargeNow();
    folded.charge.settleLate();
    expect(folded.charge.asPrelude()).toBeUndefined();
    expect(folded.storage.chargeOrRefuse).not.toHaveBeenCalled();
    expect(folded.storage.chargeInOrder).not.toHaveBeenCalled();

    const direct = setUp();
    await direct.charge.chargeNow();
    direct.charge.settleLate();
    expect(direct.storage.chargeOrRefuse).toHaveBeenCalledTimes(1);
    expect(direct.storage.chargeInOrder).not.toHaveBeenCalled();

    const late = setUp();
    late.charge.settleLate();
    late.charge.settleLate();
    expect(late.storage.chargeInOrder).toHaveBeenCalledTimes(1);
  });

  it("turns the folded statement's answer into the guard's 429", () => {
    const prelude = setUp().charge.asPrelude()!;
    expect(() => prelude.accept(0)).not.toThrow();
    expect(() => prelude.accept(null)).not.toThrow();
    expect(() => prelude.accept(42)).toThrow(RateLimitedException);
    try {
      prelude.accept(42);
    } catch (error) {
      expect((error as RateLimitedException).retryAfterSeconds).toBe(42);
    }
  });

  it('names its CTEs apart from the host statement and numbers their parameters after it', () => {
    const prelude = setUp().charge.asPrelude()!;
    const sql = prelude.ctes(2);
    expect(sql).toMatch(/^rate_limit_charge_0 AS \(/);
    expect(sql).toContain('$3::text');
    expect(sql).toContain('$10::int');
    expect(sql).not.toContain('$11');
    expect(prelude.key).toBe('rate_limit_charge_2');
  });
});
