import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';

/**
 * C2SP signed notes (https://c2sp.org/signed-note), Ed25519 only: a text ending in a newline, a
 * blank line, then one or more signature lines `— <key name> <base64(key id || signature)>`. The
 * signature covers the text including its final newline, not the blank line. The key id is the
 * first 4 bytes (big-endian uint32) of SHA-256(key name || 0x0A || 0x01 || 32-byte public key).
 * A verifier key is written `<key name>+<hex key id>+<base64(0x01 || public key)>`, as Go's
 * golang.org/x/mod/sumdb/note and the transparency-log tools expect. See docs/audit.md#note-format.
 */

export const ED25519_TYPE = 0x01;
const SIGNATURE_PREFIX = '\u2014 ';
const ED25519_SIGNATURE_BYTES = 64;
const PUBLIC_KEY_BYTES = 32;
/** Well above what a checkpoint needs; the spec asks verifiers to accept at least 16 signatures. */
const MAX_SIGNATURES = 100;
const MAX_NOTE_BYTES = 64 * 1024;

export class NoteFormatError extends Error {}

export interface NoteSignature {
  keyName: string;
  /** uint32 key id, as 8 lowercase hex digits. */
  keyId: string;
  signature: Buffer;
}

export interface ParsedNote {
  /** The signed text, including its final newline. */
  text: string;
  signatures: NoteSignature[];
}

/** A public key the verifier trusts; `name` pins the key name (a verifier key string), else any name whose id matches. */
export interface NoteVerifierKey {
  name?: string;
  publicKey: Buffer;
}

export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name) && !/[\u0000-\u001f]/.test(name);
}

export function noteKeyId(keyName: string, publicKey: Buffer): string {
  return createHash('sha256')
    .update(Buffer.from(`${keyName}\n`, 'utf8'))
    .update(Buffer.from([ED25519_TYPE]))
    .update(publicKey)
    .digest()
    .subarray(0, 4)
    .toString('hex');
}

export function verifierKeyString(keyName: string, publicKey: Buffer): string {
  const encoded = Buffer.concat([Buffer.from([ED25519_TYPE]), publicKey]).toString('base64');
  return `${keyName}+${noteKeyId(keyName, publicKey)}+${encoded}`;
}

/** Parses `<name>+<hex id>+<base64(0x01 || key)>`, checking that the id matches the name and key. */
export function parseVerifierKey(text: string): { name: string; keyId: string; publicKey: Buffer } {
  const parts = text.trim().split('+');
  // base64 has its own '+': the name has none, the id has none, so everything after the second '+' is the key.
  if (parts.length < 3) throw new NoteFormatError('a verifier key is <name>+<hex key id>+<base64 key>');
  const [name, keyId, ...rest] = parts;
  const raw = Buffer.from(rest.join('+'), 'base64');
  if (!isValidKeyName(name)) throw new NoteFormatError('verifier key: invalid key name');
  if (!/^[0-9a-f]{8}$/.test(keyId)) throw new NoteFormatError('verifier key: the key id must be 8 hex digits');
  if (raw.length !== 1 + PUBLIC_KEY_BYTES || raw[0] !== ED25519_TYPE)
    throw new NoteFormatError('verifier key: only Ed25519 keys (type 0x01, 32 bytes) are supported');
  const publicKey = raw.subarray(1);
  if (noteKeyId(name, publicKey) !== keyId) throw new NoteFormatError('verifier key: the key id does not match');
  return { name, keyId, publicKey };
}

/** The note text followed by the blank line and one signature line per signature. */
export function formatSignedNote(text: string, signatures: readonly NoteSignature[]): string {
  assertNoteText(text);
  const lines = signatures.map((s) => {
    const id = Buffer.from(s.keyId, 'hex');
    return `${SIGNATURE_PREFIX}${s.keyName} ${Buffer.concat([id, s.signature]).toString('base64')}\n`;
  });
  return `${text}\n${lines.join('')}`;
}

export function parseSignedNote(note: string): ParsedNote {
  if (Buffer.byteLength(note, 'utf8') > MAX_NOTE_BYTES) throw new NoteFormatError('note too large');
  if (/[\u0000-\u0009\u000b-\u001f]/.test(note))
    throw new NoteFormatError('a note holds no control characters but newlines');
  if (!note.endsWith('\n')) throw new NoteFormatError('a note ends with a newline');
  const split = note.lastIndexOf('\n\n');
  if (split === -1) throw new NoteFormatError('a note has a blank line before its signatures');
  const text = note.slice(0, split + 1);
  assertNoteText(text);
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw new NoteFormatError('too many signatures');
  const signatures = lines.map((line) => {
    if (!line.startsWith(SIGNATURE_PREFIX)) throw new NoteFormatError('a signature line starts with "— "');
    const rest = line.slice(SIGNATURE_PREFIX.length);
    const space = rest.indexOf(' ');
    const keyName = space === -1 ? '' : rest.slice(0, space);
    const encoded = space === -1 ? '' : rest.slice(space + 1);
    const raw = Buffer.from(encoded, 'base64');
    if (!isValidKeyName(keyName) || raw.length < 5 || raw.toString('base64') !== encoded)
      throw new NoteFormatError('malformed signature line');
    return { keyName, keyId: raw.subarray(0, 4).toString('hex'), signature: raw.subarray(4) };
  });
  return { text, signatures };
}

export interface OpenedNote extends ParsedNote {
  /** The signature that verified it (the first from a known key). */
  verifiedBy: { keyName: string; keyId: string };
}

/**
 * Verifies a note against trusted keys as the spec says: signatures from unknown keys are
 * ignored; one from a known key that fails rejects the whole note; at least one must verify.
 */
export function openSignedNote(note: string, keys: readonly NoteVerifierKey[]): OpenedNote {
  const parsed = parseSignedNote(note);
  const message = Buffer.from(parsed.text, 'utf8');
  let verifiedBy: OpenedNote['verifiedBy'] | undefined;
  for (const signature of parsed.signatures) {
    const key = keys.find(
      (k) =>
        (k.name === undefined || k.name === signature.keyName) &&
        noteKeyId(signature.keyName, k.publicKey) === signature.keyId,
    );
    if (!key) continue;
    const valid =
      signature.signature.length === ED25519_SIGNATURE_BYTES &&
      verify(null, message, ed25519PublicKey(key.publicKey), signature.signature);
    if (!valid) throw new NoteFormatError(`the signature of ${signature.keyName}+${signature.keyId} does not verify`);
    verifiedBy ??= { keyName: signature.keyName, keyId: signature.keyId };
  }
  if (!verifiedBy) throw new NoteFormatError('no signature from a trusted key');
  return { ...parsed, verifiedBy };
}

const publicKeyObjects = new Map<string, KeyObject>();

export function ed25519PublicKey(raw: Buffer): KeyObject {
  if (raw.length !== PUBLIC_KEY_BYTES) throw new NoteFormatError('an Ed25519 public key has 32 bytes');
  const cacheKey = raw.toString('hex');
  let key = publicKeyObjects.get(cacheKey);
  if (!key) {
    key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
    if (publicKeyObjects.size < 64) publicKeyObjects.set(cacheKey, key);
  }
  return key;
}

function assertNoteText(text: string): void {
  if (text.length === 0 || text.startsWith('\n') || !text.endsWith('\n') || text.includes('\n\n'))
    throw new NoteFormatError('note text: non-empty lines, each ending in a newline');
}
