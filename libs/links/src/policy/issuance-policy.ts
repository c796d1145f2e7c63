import type { ConnectionPolicy, SubjectRules } from '@app/connections';
import type { LoginSubject } from '@app/providers';
import { loginMatches } from './login-glob';

export type SubjectVerdict = { allowed: true } | { allowed: false; rule: 'deny' | 'allow' };

/**
 * Whether a connection's policy lets this subject get a link (docs/links.md#issuance-policy).
 * A subject is matched on the identifier the request names: a login against the login globs, a
 * user_id (case-insensitively, they are UUIDs) or an external_id (exactly) against their lists.
 * Deny wins. With an `allow` side, a subject matching none of its entries is refused, so an
 * identifier kind the allow side does not list is refused too (fail closed).
 */
export function subjectVerdict(policy: ConnectionPolicy, subject: LoginSubject): SubjectVerdict {
  const { allow, deny } = policy.subjects ?? {};
  if (deny !== undefined && matches(deny, subject)) return { allowed: false, rule: 'deny' };
  if (allow !== undefined && !matches(allow, subject)) return { allowed: false, rule: 'allow' };
  return { allowed: true };
}

function matches(rules: SubjectRules, subject: LoginSubject): boolean {
  if (subject.login !== undefined) return (rules.logins ?? []).some((pattern) => loginMatches(pattern, subject.login!));
  if (subject.user_id !== undefined) {
    const id = subject.user_id.toLowerCase();
    return (rules.user_ids ?? []).some((entry) => entry.toLowerCase() === id);
  }
  if (subject.external_id !== undefined) return (rules.external_ids ?? []).includes(subject.external_id);
  return false;
}
