import { createHash, randomBytes } from 'node:crypto';

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
  const sign = createHash('md5').update(`${salt}:${utcSeconds}:${apiKey}`).digest('hex');
  return `${salt}:${utcSeconds}:${sign}`;
}
