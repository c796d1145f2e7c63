/**
 * Glob patterns over logins (docs/links.md#issuance-policy): `*` matches any run of characters,
 * `?` exactly one, everything else itself, case-insensitively. Logins are not paths, so `/`, `@`
 * and `.` are ordinary characters (path-oriented matchers such as picomatch treat `/` and a
 * leading `.` specially, hence this small matcher instead). No regular expression is built: the
 * greedy two-pointer walk below is O(pattern × login) at worst, so a pattern full of stars cannot
 * make it backtrack exponentially.
 */
export function loginMatches(pattern: string, login: string): boolean {
  const p = Array.from(pattern.toLowerCase());
  const t = Array.from(login.toLowerCase());
  let pi = 0;
  let ti = 0;
  let star = -1;
  let resume = 0;
  while (ti < t.length) {
    if (pi < p.length && p[pi] !== '*' && (p[pi] === '?' || p[pi] === t[ti])) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      resume = ti;
    } else if (star !== -1) {
      pi = star + 1;
      ti = ++resume;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}
