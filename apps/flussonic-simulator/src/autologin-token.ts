import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * `<login>:<valid_till>:<4 hex salt>:<40 hex sha1>`: the shape of the vendor's only sample
 * (docs/providers/flussonic.md#autologin-token-format). What the SHA-1 covers is undocumented;
 * here it is login, valid_till, salt and a server secret. Parsed from the right, since logins may
 * contain ':'.
 */
export function mintAutologinToken(login: string, validTill: number, secret: string): string {
  const salt = randomBytes(2).toString('hex');
  return `${login}:${validTill}:${salt}:${signature(login, validTill, salt, secret)}`;
}

export interface AutologinTokenParts {
  login: string;
  validTill: number;
}

export function verifyAutologinToken(token: string, secret: string): AutologinTokenParts | undefined {
  const match = /^(.+):(\d{1,12}):([0-9a-f]{4}):([0-9a-f]{40})$/.exec(token);
  if (!match) return undefined;
  const [, login, validTillText, salt, sign] = match;
  const validTill = Number(validTillText);
  const expected = Buffer.from(signature(login, validTill, salt, secret), 'hex');
  return timingSafeEqual(expected, Buffer.from(sign, 'hex')) ? { login, validTill } : undefined;
}

function signature(login: string, validTill: number, salt: string, secret: string): string {
  return createHash('sha1').update(`${login}:${validTill}:${salt}:${secret}`).digest('hex');
}
