import { median } from './latency';

/** What this needs of a run: who ran and its links/s. Runs are given in the order they ran. */
export interface OrderedRun {
  server: string;
  linksPerSecond: number;
}

export interface ContenderSwitching {
  server: string;
  /** Median links/s of this contender's runs that came right after one of its own. */
  afterOwn: number;
  afterOwnRuns: number;
  /** Median links/s of its runs that came right after the other contender's. */
  afterOther: number;
  afterOtherRuns: number;
  /** 1 − afterOther / afterOwn: how much slower it is right after the other one (negative: faster). */
  penalty: number;
}

export interface SwitchingPenalty {
  a: ContenderSwitching;
  b: ContenderSwitching;
  /**
   * A's links/s over B's, from only the runs that followed their own contender's: what the paired
   * ratio would read if neither contender paid for the switch.
   */
  ratioAfterOwn: number;
}

/**
 * On some machines a contender is slower right after the other contender's run than right after
 * its own, even with a warm-up of its own load before each run (docs/performance.md#fourteenth-pass).
 * In A B B A order every round has one run of each kind, so the paired ratios alternate with the
 * round's order; their geometric mean cancels the penalty only when both contenders pay the same.
 * This measures each contender's penalty and the ratio without it. The first run of all follows
 * no measured run and is left out. Undefined when a contender lacks runs of either kind.
 */
export function switchingPenalty(runs: readonly OrderedRun[], a: string, b: string): SwitchingPenalty | undefined {
  const of = (server: string): ContenderSwitching | undefined => {
    const afterOwn: number[] = [];
    const afterOther: number[] = [];
    for (let i = 1; i < runs.length; i++) {
      if (runs[i].server !== server) continue;
      (runs[i - 1].server === server ? afterOwn : afterOther).push(runs[i].linksPerSecond);
    }
    if (afterOwn.length === 0 || afterOther.length === 0) return undefined;
    const own = median(afterOwn);
    const other = median(afterOther);
    return {
      server,
      afterOwn: own,
      afterOwnRuns: afterOwn.length,
      afterOther: other,
      afterOtherRuns: afterOther.length,
      penalty: own > 0 ? 1 - other / own : 0,
    };
  };
  const switchingA = of(a);
  const switchingB = of(b);
  if (switchingA === undefined || switchingB === undefined || switchingB.afterOwn === 0) return undefined;
  return { a: switchingA, b: switchingB, ratioAfterOwn: switchingA.afterOwn / switchingB.afterOwn };
}

/** One line for the bench's output. */
export function switchingPenaltyLine(switching: SwitchingPenalty | undefined): string {
  if (switching === undefined) return 'switching penalty: not measured (needs 2 rounds or more)';
  const side = (c: ContenderSwitching) =>
    `${c.server} ${Math.round(c.afterOwn)} links/s after its own run (${c.afterOwnRuns}), ` +
    `${Math.round(c.afterOther)} after the other's (${c.afterOtherRuns}): ` +
    `${(Math.abs(c.penalty) * 100).toFixed(1)}% ${c.penalty < 0 ? 'faster' : 'slower'}`;
  return (
    `switching penalty (medians): ${side(switching.a)}; ${side(switching.b)}. ` +
    `${switching.a.server}/${switching.b.server} from the runs after their own contender's: ${switching.ratioAfterOwn.toFixed(2)}`
  );
}
