import { switchingPenalty, switchingPenaltyLine } from './switching-penalty';

/** A B B A … rounds, as the bench runs them: odd rounds A then B, even rounds B then A. */
function abba(rounds: number, linksPerSecond: (server: 'A' | 'B', afterOwn: boolean) => number) {
  const runs: { server: string; linksPerSecond: number }[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const server of round % 2 === 1 ? (['A', 'B'] as const) : (['B', 'A'] as const)) {
      const previous = runs.at(-1);
      runs.push({ server, linksPerSecond: linksPerSecond(server, previous?.server === server) });
    }
  }
  return runs;
}

describe('switchingPenalty', () => {
  it("measures each contender's slowdown right after the other one's run", () => {
    // A loses 10% after B; B loses 5% after A.
    const runs = abba(6, (server, afterOwn) => (server === 'A' ? (afterOwn ? 1000 : 900) : afterOwn ? 1200 : 1140));
    const switching = switchingPenalty(runs, 'A', 'B')!;
    expect(switching.a).toMatchObject({ afterOwn: 1000, afterOther: 900 });
    expect(switching.a.penalty).toBeCloseTo(0.1, 10);
    expect(switching.b).toMatchObject({ afterOwn: 1200, afterOther: 1140 });
    expect(switching.b.penalty).toBeCloseTo(0.05, 10);
    expect(switching.ratioAfterOwn).toBeCloseTo(1000 / 1200, 10);
  });

  it('counts every run but the very first, each by the run right before it', () => {
    // A B | B A | A B: A follows nothing, then B, then A; B follows A, B, A.
    const switching = switchingPenalty(
      abba(3, () => 1),
      'A',
      'B',
    )!;
    expect(switching.a.afterOwnRuns + switching.a.afterOtherRuns).toBe(2);
    expect(switching.b.afterOwnRuns + switching.b.afterOtherRuns).toBe(3);
    expect(switching.a.penalty).toBe(0);
  });

  it('reads a contender that is faster after the switch as a negative penalty', () => {
    const runs = abba(4, (server, afterOwn) => (server === 'A' && !afterOwn ? 1100 : 1000));
    expect(switchingPenalty(runs, 'A', 'B')!.a.penalty).toBeCloseTo(-0.1, 10);
    expect(switchingPenaltyLine(switchingPenalty(runs, 'A', 'B'))).toContain('10.0% faster');
  });

  it('is undefined without runs of both kinds', () => {
    expect(
      switchingPenalty(
        abba(1, () => 1000),
        'A',
        'B',
      ),
    ).toBeUndefined();
    expect(switchingPenalty([], 'A', 'B')).toBeUndefined();
  });

  it('prints both contenders and the ratio without the penalty', () => {
    const runs = abba(4, (server, afterOwn) => (server === 'A' ? (afterOwn ? 1000 : 900) : 1250));
    const line = switchingPenaltyLine(switchingPenalty(runs, 'A', 'B'));
    expect(line).toContain("A 1000 links/s after its own run (1), 900 after the other's (2)");
    expect(line).toContain('10.0% slower');
    expect(line).toContain('A/B from the runs after their own contender');
    expect(line).toContain(': 0.80');
    expect(switchingPenaltyLine(undefined)).toContain('not measured');
  });
});
