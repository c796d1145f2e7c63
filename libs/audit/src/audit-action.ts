/** Every action the broker records (docs/api.md#audit-actions). Adding one here is an API change: document it. */
export const AUDIT_ACTIONS = [
  'tenant.created',
  'tenant.updated',
  'tenant.deleted',
  'connection.created',
  'connection.updated',
  'connection.deleted',
  'connection.checked',
  'credential.rotated',
  'api_key.created',
  'api_key.revoked',
  'login_link.issued',
  'login_link.failed',
  'login_link.redeemed',
  'login_link.redeem_rejected',
  'vault.rewrapped',
  'login_link.replayed',
  'login_link.revoked',
  'console.signed_in',
  'console.signed_out',
  'console.sign_in_failed',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_OUTCOMES = ['success', 'failure'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export const AUDIT_ACTOR_TYPES = ['api_key', 'anonymous', 'system'] as const;
export type AuditActorType = (typeof AUDIT_ACTOR_TYPES)[number];
