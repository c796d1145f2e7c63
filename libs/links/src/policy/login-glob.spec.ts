import fc from 'fast-check';
import { loginMatches } from './login-glob';

/** The reference: the same semantics as an escaped regular expression (fine for short inputs). */
function reference(pattern: string, login: string): boolean {
  const source = Array.from(pattern.toLowerCase())
    .map((c) => (c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'u').test(login.toLowerCase());
}

describe('login globs', () => {
  it.each([
    ['*@customer-a.example', 'alice@customer-a.example', true],
    ['*@customer-a.example', 'ALICE@Customer-A.Example', true],
    ['*@customer-a.example', 'alice@customer-a.example.evil', false],
    ['*@customer-a.example', 'alice@customer-b.example', false],
    ['admin', 'Admin', true],
    ['admin', 'administrator', false],
    ['adm?n', 'admin', true],
    ['adm?n', 'admn', false],
    ['*', '', true],
    ['', '', true],
    ['', 'a', false],
    ['team/*', 'team/ops/alice', true],
    ['*.example', 'a.b@c.example', true],
    ['a.c', 'abc', false],
    ['[ab]', 'a', false],
    ['[ab]', '[ab]', true],
    ['?', 'é', true],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXbYY', false],
  ])('%s ~ %s → %s', (pattern, login, expected) => {
    expect(loginMatches(pattern, login)).toBe(expected);
  });

  it('agrees with an escaped-regex reference on arbitrary input', () => {
    const alphabet = fc.constantFrom('a', 'b', 'A', '@', '.', '/', '*', '?', '[', '\\', 'é');
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 8 }), fc.string({ unit: alphabet, maxLength: 10 }), (p, l) => {
        expect(loginMatches(p, l)).toBe(reference(p, l));
      }),
      { numRuns: 3000 },
    );
  });

  it('stays linear-ish on star-heavy patterns (no catastrophic backtracking)', () => {
    const started = process.hrtime.bigint();
    expect(loginMatches(`${'*a'.repeat(150)}b`, 'a'.repeat(320))).toBe(false);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(250);
  });
});
