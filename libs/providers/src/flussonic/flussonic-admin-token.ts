import { hash, randomBytes } from 'node:crypto';

/**
 * Legacy Watcher admin token `salt:utc:md5(salt:utc:api_key)` (docs/providers/flussonic.md#admin-token).
 * A fresh salt and the current time on every call: the token is bound to its time and must never be
 * reused.
 */
export function legacyAdminToken(
  apiKey: string,
  salt: string = randomBytes(8).toString('hex'),
  utcSeconds: number = Math.floor(Date.now() / 1000),
): string {
  const sign = hash('md5', `${salt}:${utcSeconds}:${apiKey}`, 'hex');
  return `${salt}:${utcSeconds}:${sign}`;
}
