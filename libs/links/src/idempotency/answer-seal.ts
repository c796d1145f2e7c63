import { createCipheriv, createDecipheriv, hash, hkdfSync, randomBytes } from 'node:crypto';

const INFO = 'sso-broker/login-link-idempotency/answer/v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * A stored answer holds a bearer secret (the upstream token of a direct link, or the opaque
 * launch URL). It is sealed under a key derived from the Idempotency-Key, which the database
 * never holds (only its hash): a database reader cannot read it, while the portal that replays
 * with the same key gets the very same answer.
 */
export function sealAnswer(idempotencyKey: string, tenantId: string, answer: unknown): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', answerKey(idempotencyKey, tenantId), nonce);
  cipher.setAAD(Buffer.from(tenantId, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(answer), 'utf8'), cipher.final()]);
  return Buffer.concat([nonce, cipher.getAuthTag(), ciphertext]);
}

/** Throws when the blob was altered, moved to another tenant or opened with another key. */
export function openAnswer<T>(idempotencyKey: string, tenantId: string, sealed: Buffer): T {
  const decipher = createDecipheriv(
    'aes-256-gcm',
    answerKey(idempotencyKey, tenantId),
    sealed.subarray(0, NONCE_BYTES),
  );
  decipher.setAAD(Buffer.from(tenantId, 'utf8'));
  decipher.setAuthTag(sealed.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
  const plaintext = Buffer.concat([decipher.update(sealed.subarray(NONCE_BYTES + TAG_BYTES)), decipher.final()]);
  return JSON.parse(plaintext.toString('utf8')) as T;
}

/** What the database stores to find a key: a hash, so the sealing key cannot be derived from it. */
export function idempotencyKeyHash(idempotencyKey: string): Buffer {
  return hash('sha256', `sso-broker/login-link-idempotency/key\0${idempotencyKey}`, 'buffer');
}

function answerKey(idempotencyKey: string, tenantId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(idempotencyKey, 'utf8'), Buffer.from(tenantId, 'utf8'), INFO, 32));
}
