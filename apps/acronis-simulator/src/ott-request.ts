import { isPlainObject } from '@app/simulator-kit';
import type { UserSelector } from './acronis-directory';

const ALLOWED_FIELDS = new Set(['purpose', 'login', 'user_id', 'external_id', 'audit_data']);
const IDENTIFIERS = ['login', 'user_id', 'external_id'] as const;

export type OttRequestResult = { selector: UserSelector } | { problem: string };

/**
 * Validates an `idpOttPost` body: no extra fields, purpose user_login, exactly one identifier
 * (docs/providers/acronis.md#one-time-token-ott).
 */
export function parseOttRequest(body: unknown): OttRequestResult {
  if (!isPlainObject(body)) return { problem: 'The request body must be a JSON object.' };
  const unknown = Object.keys(body).filter((key) => !ALLOWED_FIELDS.has(key));
  if (unknown.length > 0) return { problem: `Unknown fields: ${unknown.join(', ')}.` };
  if (body.purpose === undefined) return { problem: 'Field "purpose" is required.' };
  // The schema's enum also has "verify", but the docs allow only user_login for this flow.
  if (body.purpose !== 'user_login') return { problem: 'Field "purpose" must be "user_login".' };
  if (body.audit_data !== undefined && typeof body.audit_data !== 'string') {
    return { problem: 'Field "audit_data" must be a string.' };
  }
  const given = IDENTIFIERS.filter((key) => body[key] !== undefined);
  if (given.length !== 1) return { problem: 'Exactly one of "login", "user_id" or "external_id" is required.' };
  const key = given[0];
  const value = body[key];
  if (typeof value !== 'string' || value.length === 0) return { problem: `Field "${key}" must be a non-empty string.` };
  return { selector: { [key]: value } as UserSelector };
}
