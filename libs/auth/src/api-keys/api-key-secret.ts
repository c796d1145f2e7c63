import { hash, randomBytes } from 'node:crypto';
import type { ApiKeyRole } from '@app/common';

/** The role letter only helps humans and leak scanners; authorization always reads the stored role. */
const ROLE_LETTER: Record<ApiKeyRole, string> = { admin: 'a', portal: 'p', auditor: 'r' }; // r: read-only (a is admin)
const SECRET_BYTES = 32;
export const API_KEY_PREFIX_LENGTH = 12;
/** `sbk_<role letter>_` + 43 base64url characters of 32 random bytes: easy to grep for in leak scanners. */
export const API_KEY_PATTERN = /^sbk_[apr]_[A-Za-z0-9_-]{43}$/;
const ADMIN_KEY_PATTERN = /^sbk_a_[A-Za-z0-9_-]{43}$/;

export interface ApiKeySecret {
  key: string;
  prefix: string;
  hash: Buffer;
}

export function generateApiKey(role: ApiKeyRole): ApiKeySecret {
  return describeApiKey(`sbk_${ROLE_LETTER[role]}_${randomBytes(SECRET_BYTES).toString('base64url')}`);
}

export function describeApiKey(key: string): ApiKeySecret {
  return { key, prefix: key.slice(0, API_KEY_PREFIX_LENGTH), hash: hashApiKey(key) };
}

/**
 * A plain SHA-256 (no salt, no slow KDF) is right here: the key carries 256 random bits, so
 * neither a dictionary nor brute force over the hash is feasible, and a deterministic hash lets
 * authentication find the row with one unique-index lookup.
 */
export function hashApiKey(key: string): Buffer {
  return hash('sha256', key, 'buffer');
}

export function isWellFormedApiKey(candidate: string): boolean {
  return API_KEY_PATTERN.test(candidate);
}

export function isWellFormedAdminKey(candidate: string): boolean {
  return ADMIN_KEY_PATTERN.test(candidate);
}
