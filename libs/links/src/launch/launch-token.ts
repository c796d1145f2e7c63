import { hash, randomBytes } from 'node:crypto';

/** 256 bits from the CSPRNG: unguessable, and far beyond the 128-bit floor for bearer tokens. */
const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface LaunchToken {
  /** Goes into the URL once and is never stored. */
  opaque: string;
  hash: Buffer;
}

export function newLaunchToken(): LaunchToken {
  const opaque = randomBytes(TOKEN_BYTES).toString('base64url');
  return { opaque, hash: hashLaunchToken(opaque) as Buffer };
}

/** The stored form; undefined for anything that cannot be a launch token (no lookup needed). */
export function hashLaunchToken(opaque: string): Buffer | undefined {
  if (!TOKEN_PATTERN.test(opaque)) return undefined;
  return hash('sha256', opaque, 'buffer');
}
