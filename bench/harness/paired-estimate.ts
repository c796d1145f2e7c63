/**
 * The A/B ratio of a bench, estimated from its paired rounds with a confidence interval.
 *
 * The two runs of a round are adjacent in time, so their ratio cancels most of the machine's own
 * drift; but this machine's speed also moves within a minute (the same build against itself gave
 * paired ratios of 0.72–1.09 in one bench, docs/performance.md#how-sure-a-ratio-is). A median of
 * four such ratios cannot tell 0.80 from 0.86, so the bench reports the geometric mean of the
 * paired ratios with a 95% interval (Student's t on their logarithms: ratios multiply, and a
 * round twice as fast on both sides must weigh as much as any other), and judges a goal only
 * when the whole interval is on one side of it.
 */
export interface PairedEstimate {
  /** Geometric mean of the paired ratios. */
  ratio: number;
  /** The 95% confidence interval of that mean (equal to `ratio` with one pair). */
  low: number;
  high: number;
  pairs: number;
}

/** Two-sided 95% quantiles of Student's t, by degrees of freedom (1–30). */
const T_95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function tQuantile95(degreesOfFreedom: number): number {
  if (degreesOfFreedom < 1) return Number.POSITIVE_INFINITY;
  if (degreesOfFreedom <= T_95.length) return T_95[degreesOfFreedom - 1];
  return degreesOfFreedom <= 60 ? 2.0 : 1.98;
}

export function pairedEstimate(ratios: readonly number[]): PairedEstimate | undefined {
  const logs = ratios.filter((r) => r > 0 && Number.isFinite(r)).map(Math.log);
  const n = logs.length;
  if (n === 0) return undefined;
  const mean = logs.reduce((sum, x) => sum + x, 0) / n;
  if (n === 1) return { ratio: Math.exp(mean), low: Math.exp(mean), high: Math.exp(mean), pairs: 1 };
  const variance = logs.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (n - 1);
  const halfWidth = tQuantile95(n - 1) * Math.sqrt(variance / n);
  return { ratio: Math.exp(mean), low: Math.exp(mean - halfWidth), high: Math.exp(mean + halfWidth), pairs: n };
}

export type IntervalVerdict = 'PASS' | 'FAIL' | 'UNRESOLVED';

/**
 * A goal "ratio ≥ goal" (`atLeast`) or "ratio ≤ goal": PASS when the whole interval meets it,
 * FAIL when none of it does, UNRESOLVED when the interval straddles the goal (more rounds, or a
 * quieter machine, would tell).
 */
export function intervalVerdict(estimate: PairedEstimate, goal: number, atLeast: boolean): IntervalVerdict {
  const [worst, best] = atLeast ? [estimate.low, estimate.high] : [estimate.high, estimate.low];
  const meets = (value: number) => (atLeast ? value >= goal : value <= goal);
  if (meets(worst)) return 'PASS';
  if (!meets(best)) return 'FAIL';
  return 'UNRESOLVED';
}
