import { intervalVerdict, pairedEstimate, tQuantile95 } from './paired-estimate';

describe('pairedEstimate', () => {
  it('is the geometric mean of the ratios', () => {
    const estimate = pairedEstimate([0.5, 2])!;
    expect(estimate.ratio).toBeCloseTo(1, 10);
    expect(estimate.pairs).toBe(2);
  });

  it('gives a 95% interval from Student t on the logarithms', () => {
    // logs: ln 0.8, ln 0.9, ln 1.0; mean m, sample sd s; half width t(2) * s / sqrt(3).
    const logs = [0.8, 0.9, 1].map(Math.log);
    const m = logs.reduce((a, b) => a + b) / 3;
    const s = Math.sqrt(logs.reduce((a, x) => a + (x - m) ** 2, 0) / 2);
    const half = 4.303 * (s / Math.sqrt(3));
    const estimate = pairedEstimate([0.8, 0.9, 1])!;
    expect(estimate.ratio).toBeCloseTo(Math.exp(m), 10);
    expect(estimate.low).toBeCloseTo(Math.exp(m - half), 10);
    expect(estimate.high).toBeCloseTo(Math.exp(m + half), 10);
    expect(estimate.low).toBeLessThan(0.8);
    expect(estimate.high).toBeGreaterThan(1);
  });

  it('narrows as agreeing pairs accumulate', () => {
    const few = pairedEstimate([0.8, 0.9, 0.85, 0.88])!;
    const many = pairedEstimate([0.8, 0.9, 0.85, 0.88, 0.8, 0.9, 0.85, 0.88, 0.8, 0.9, 0.85, 0.88])!;
    expect(many.high - many.low).toBeLessThan((few.high - few.low) / 2);
  });

  it('has no interval with one pair and no estimate without one', () => {
    expect(pairedEstimate([0.9])).toEqual({ ratio: 0.9, low: 0.9, high: 0.9, pairs: 1 });
    expect(pairedEstimate([])).toBeUndefined();
    expect(pairedEstimate([0, Number.NaN])).toBeUndefined();
  });

  it('uses the t table, then its large-sample values', () => {
    expect(tQuantile95(1)).toBe(12.706);
    expect(tQuantile95(15)).toBe(2.131);
    expect(tQuantile95(30)).toBe(2.042);
    expect(tQuantile95(45)).toBe(2.0);
    expect(tQuantile95(200)).toBe(1.98);
    expect(tQuantile95(0)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('intervalVerdict', () => {
  const at = (low: number, high: number) => ({ ratio: (low + high) / 2, low, high, pairs: 8 });

  it('passes an at-least goal only when the whole interval is above it', () => {
    expect(intervalVerdict(at(0.86, 0.95), 0.85, true)).toBe('PASS');
    expect(intervalVerdict(at(0.8, 0.9), 0.85, true)).toBe('UNRESOLVED');
    expect(intervalVerdict(at(0.7, 0.84), 0.85, true)).toBe('FAIL');
  });

  it('passes an at-most goal only when the whole interval is below it', () => {
    expect(intervalVerdict(at(1.0, 1.2), 1.25, false)).toBe('PASS');
    expect(intervalVerdict(at(1.1, 1.4), 1.25, false)).toBe('UNRESOLVED');
    expect(intervalVerdict(at(1.3, 1.5), 1.25, false)).toBe('FAIL');
  });
});
