import { countTurns, spin } from '../../../../test/utils/event-loop-turns';
import { forEachYielding } from './for-each-yielding';

describe('forEachYielding', () => {
  it('lets callbacks scheduled during the loop run between slices, keeping the items in order', async () => {
    const counter = countTurns();
    const seen: Array<{ item: number; immediates: number }> = [];
    await forEachYielding(
      Array.from({ length: 40 }, (_, i) => i),
      (item) => {
        spin(1);
        seen.push({ item, immediates: counter.turns });
      },
      5,
    );
    counter.stop();
    expect(seen.map((s) => s.item)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    // 40 ms of work in 5 ms slices: the ticker ran between them (a plain loop would show one value).
    expect(new Set(seen.map((s) => s.immediates)).size).toBeGreaterThanOrEqual(4);
    // Never more than a slice's worth (plus the item that crossed the line) without a turn.
    let run = 0;
    for (let i = 1; i < seen.length; i += 1) {
      run = seen[i].immediates === seen[i - 1].immediates ? run + 1 : 0;
      expect(run).toBeLessThanOrEqual(5);
    }
  });

  it('a fast loop runs in one go', async () => {
    let turned = false;
    setImmediate(() => (turned = true));
    const out: number[] = [];
    await forEachYielding([1, 2, 3], (n) => out.push(n * 2), 1000);
    expect(out).toEqual([2, 4, 6]);
    expect(turned).toBe(false);
  });

  it('an exception stops the loop and rejects', async () => {
    const out: number[] = [];
    await expect(
      forEachYielding([1, 2, 3], (n) => {
        if (n === 2) throw new Error('broken');
        out.push(n);
      }),
    ).rejects.toThrow('broken');
    expect(out).toEqual([1]);
  });
});
