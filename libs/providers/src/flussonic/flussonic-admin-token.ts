import { hash, randomFillSync } from 'node:crypto';

/**
 * Legacy Watcher admin token `salt:utc:md5(salt:utc:api_key)` (docs/providers/flussonic.md#admin-token).
 * A fresh salt and the current time on every call: the token is bound to its time and must never be
 * reused.
 */
export function legacyAdminToken(
  apiKey: string,
  salt: string = freshSalt(),
  utcSeconds: number = Math.floor(Date.now() / 1000),
): string {
  const sign = hash('md5', `${salt}:${utcSeconds}:${apiKey}`, 'hex');
  return `${salt}:${utcSeconds}:${sign}`;
}

const SALT_BYTES = 8;
/**
 * Salts come from a CSPRNG pool filled 4 KB at a time, as Node's own randomUUID does: a
 * `randomBytes(8)` call builds a native job per call (~5 µs in a loop here, ~40 µs per link under
 * load in a profile, docs/performance.md#fifth-pass-2026-12-05-night), a slice of the pool ~0.1 µs.
 * The salt is a public nonce sent in the header; each pool byte is handed out once, then zeroed.
 */
const pool = Buffer.alloc(4096);
let taken = pool.length;

function freshSalt(): string {
  if (taken + SALT_BYTES > pool.length) {
    randomFillSync(pool);
    taken = 0;
  }
  const salt = pool.toString('hex', taken, taken + SALT_BYTES);
  pool.fill(0, taken, taken + SALT_BYTES);
  taken += SALT_BYTES;
  return salt;
}
