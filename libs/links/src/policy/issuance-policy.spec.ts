import { subjectVerdict } from './issuance-policy';

describe('subject policy', () => {
  it('allows everyone without subject rules', () => {
    expect(subjectVerdict({}, { login: 'admin' })).toEqual({ allowed: true });
    expect(subjectVerdict({ require_reason: true }, { user_id: 'x' })).toEqual({ allowed: true });
  });

  it('allows only what an allow side lists, per identifier kind (fail closed)', () => {
    const policy = {
      subjects: { allow: { logins: ['*@customer-a.example'], user_ids: ['A1A1A1A1-0000-4000-8000-000000000001'] } },
    };
    expect(subjectVerdict(policy, { login: 'alice@customer-a.example' }).allowed).toBe(true);
    expect(subjectVerdict(policy, { login: 'admin' })).toEqual({ allowed: false, rule: 'allow' });
    expect(subjectVerdict(policy, { user_id: 'a1a1a1a1-0000-4000-8000-000000000001' }).allowed).toBe(true);
    expect(subjectVerdict(policy, { external_id: 'ext-1' })).toEqual({ allowed: false, rule: 'allow' });
  });

  it('lets deny win over allow', () => {
    const policy = {
      subjects: { allow: { logins: ['*@customer-a.example'] }, deny: { logins: ['admin*'], external_ids: ['root'] } },
    };
    expect(subjectVerdict(policy, { login: 'Admin@customer-a.example' })).toEqual({ allowed: false, rule: 'deny' });
    expect(subjectVerdict({ subjects: { deny: { external_ids: ['root'] } } }, { external_id: 'root' })).toEqual({
      allowed: false,
      rule: 'deny',
    });
    expect(subjectVerdict({ subjects: { deny: { external_ids: ['root'] } } }, { external_id: 'Root' }).allowed).toBe(
      true,
    );
  });
});
