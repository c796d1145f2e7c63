import { pgArrayColumns } from './pg-array';

describe('pgArrayColumns', () => {
  it('turns rows into one quoted array literal per column', () => {
    expect(
      pgArrayColumns([
        ['a', 1, null],
        ['b', 2, undefined],
      ]),
    ).toEqual(['{"a","b"}', '{"1","2"}', '{NULL,NULL}']);
  });

  it('escapes quotes and backslashes only, and keeps the string NULL a string', () => {
    expect(pgArrayColumns([['say "hi" \\ bye'], ['NULL'], ['{x,y}']])).toEqual([
      '{"say \\"hi\\" \\\\ bye","NULL","{x,y}"}',
    ]);
  });

  it('sends buffers as bytea hex, dates as UTC instants and objects as JSON', () => {
    const [blob, at, doc, flag] = pgArrayColumns([
      [Buffer.from([0xde, 0xad]), new Date('2026-12-07T00:00:00.000Z'), { a: '"' }, true],
    ]);
    expect(blob).toBe('{"\\\\xdead"}');
    expect(at).toBe('{"2026-12-07T00:00:00.000Z"}');
    expect(doc).toBe('{"{\\"a\\":\\"\\\\\\"\\"}"}');
    expect(flag).toBe('{"true"}');
  });

  it('refuses what it cannot send faithfully', () => {
    expect(() => pgArrayColumns([[new Date(Number.NaN)]])).toThrow(/invalid Date/);
    expect(() => pgArrayColumns([[['nested']]])).toThrow(/nested arrays/);
  });

  it('has no columns for no rows', () => {
    expect(pgArrayColumns([])).toEqual([]);
  });
});
