import { createHash, timingSafeEqual } from 'node:crypto';

export type AdminTokenVerdict = 'valid' | 'WrongApikey' | 'ApikeyExpired';

/**
 * Legacy admin token `salt:utc:md5(salt:utc:api_key)` (docs/providers/flussonic.md#admin-token).
 * Parsed from the right, as the salt is "any random string". A bad signature wins over a stale stamp.
 */
export function verifyAdminToken(
  token: string,
  apiKey: string,
  nowSeconds: number,
  windowSeconds: number,
): AdminTokenVerdict {
  const match = /^(.*):(\d{1,12}):([0-9a-fA-F]{32})$/.exec(token);
  if (!match) return 'WrongApikey';
  const [, salt, utc, sign] = match;
  const expected = createHash('md5').update(`${salt}:${utc}:${apiKey}`).digest();
  if (!timingSafeEqual(expected, Buffer.from(sign, 'hex'))) return 'WrongApikey';
  return Math.abs(nowSeconds - Number(utc)) > windowSeconds ? 'ApikeyExpired' : 'valid';
}

export function buildAdminToken(salt: string, utc: number, apiKey: string): string {
  return `${salt}:${utc}:${createHash('md5').update(`${salt}:${utc}:${apiKey}`).digest('hex')}`;
}
