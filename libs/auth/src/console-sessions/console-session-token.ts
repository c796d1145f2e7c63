import { createHmac, hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A session token: 32 random bytes, base64url (43 characters). Only its SHA-256 is stored. */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

export function isWellFormedSessionToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}

export function hashSessionToken(token: string): Buffer {
  return hash('sha256', token, 'buffer');
}

/**
 * The CSRF token of a session: an HMAC keyed by the session token itself. Only a page that can read
 * the session endpoints' answers (same origin) learns it, the cookie alone (which a cross-site
 * request carries when SameSite is not honoured) does not give it, and every instance derives the
 * same value without a shared secret or a stored column.
 */
export function csrfTokenOf(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('sso-broker console csrf v1').digest('base64url');
}

export function csrfTokenMatches(sessionToken: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const expected = Buffer.from(csrfTokenOf(sessionToken));
  const actual = Buffer.from(presented);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
