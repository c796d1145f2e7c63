import { AuditSigningKeyRing } from './signing-key-ring';
import {
  formatSignedNote,
  isValidKeyName,
  NoteFormatError,
  noteKeyId,
  openSignedNote,
  verifierKeyString,
  type NoteVerifierKey,
} from './signed-note';

/**
 * A checkpoint is a C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint) signed note over one
 * audit chain (docs/audit.md#note-format):
 *
 *   <origin prefix>/<chain id>          origin: the chain (one "log" per chain)
 *   <seq>                               size: the number of events, = the seq of the newest one
 *   <base64 of the 32-byte head hash>   hash: the hash-chain head at that size (the `hash` of
 *                                       event <seq>), not an RFC 6962 Merkle root
 *   time <ISO-8601 UTC, milliseconds>   extension line: when the checkpoint was made (database clock)
 *
 *   — <origin prefix> <base64(key id || Ed25519 signature)>
 */
export interface CheckpointStatement {
  chainId: string;
  /** Decimal seq of the newest covered event (> 0). */
  seq: string;
  /** Hex SHA-256 `hash` of that event. */
  hash: string;
  time: Date;
}

export interface ParsedCheckpoint extends CheckpointStatement {
  origin: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX_HASH = /^[0-9a-f]{64}$/;
const TIME_LINE = /^time (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)$/;

export function checkpointText(prefix: string, statement: CheckpointStatement): string {
  if (!/^[1-9]\d*$/.test(statement.seq)) throw new Error(`checkpoint seq must be positive: ${statement.seq}`);
  if (!HEX_HASH.test(statement.hash)) throw new Error('checkpoint hash must be 64 hex digits');
  return [
    `${prefix}/${statement.chainId}`,
    statement.seq,
    Buffer.from(statement.hash, 'hex').toString('base64'),
    `time ${statement.time.toISOString()}`,
    '',
  ].join('\n');
}

/** Reads the note text of a checkpoint (its signature is checked separately, by openCheckpoint). */
export function parseCheckpointText(text: string): ParsedCheckpoint {
  const lines = text.split('\n');
  if (lines.pop() !== '' || lines.length < 3) throw new NoteFormatError('a checkpoint has at least three lines');
  const [origin, size, encodedHash, ...extensions] = lines;
  const slash = origin.lastIndexOf('/');
  const chainId = origin.slice(slash + 1);
  if (slash <= 0 || !UUID.test(chainId)) throw new NoteFormatError('checkpoint origin: <prefix>/<chain uuid>');
  if (!/^[1-9]\d{0,18}$/.test(size)) throw new NoteFormatError('checkpoint size: a positive decimal');
  const raw = Buffer.from(encodedHash, 'base64');
  if (raw.length !== 32 || raw.toString('base64') !== encodedHash)
    throw new NoteFormatError('checkpoint hash: base64 of 32 bytes');
  let time: Date | undefined;
  for (const line of extensions) {
    const match = TIME_LINE.exec(line);
    if (match && time === undefined) time = new Date(match[1]);
  }
  if (time === undefined || Number.isNaN(time.getTime())) throw new NoteFormatError('checkpoint: no time line');
  return { origin, chainId, seq: size, hash: raw.toString('hex'), time };
}

/** A checkpoint whose signature verified under one of `keys`. */
export interface OpenedCheckpoint extends ParsedCheckpoint {
  keyName: string;
  keyId: string;
}

export function openCheckpoint(note: string, keys: readonly NoteVerifierKey[]): OpenedCheckpoint {
  const opened = openSignedNote(note, keys);
  return { ...parseCheckpointText(opened.text), ...opened.verifiedBy };
}

export interface PublicKeyInfo {
  version: string;
  key_name: string;
  key_id: string;
  algorithm: 'ed25519';
  public_key: string;
  verifier_key: string;
  current: boolean;
}

/**
 * Signs checkpoints with the newest key of the ring, under the key name `prefix` (the origin
 * prefix, e.g. `sso-broker.example/audit`), and verifies stored ones with every key of the ring.
 */
export class CheckpointSigner {
  constructor(
    private readonly ring: AuditSigningKeyRing,
    readonly originPrefix: string,
  ) {
    if (!isValidKeyName(originPrefix) || originPrefix.endsWith('/'))
      throw new Error('the checkpoint origin prefix must be non-empty, without spaces, "+" or a trailing "/"');
  }

  sign(statement: CheckpointStatement): { note: string; keyId: string } {
    const text = checkpointText(this.originPrefix, statement);
    const { publicKey, signature } = this.ring.sign(Buffer.from(text, 'utf8'));
    const keyId = noteKeyId(this.originPrefix, publicKey);
    return { note: formatSignedNote(text, [{ keyName: this.originPrefix, keyId, signature }]), keyId };
  }

  /**
   * Every configured public key, under whatever key name a stored note carries: a note written
   * before AUDIT_CHECKPOINT_ORIGIN changed still verifies; the key id binds name and key.
   */
  verifierKeys(): NoteVerifierKey[] {
    return this.ring.publicKeys().map(({ publicKey }) => ({ publicKey }));
  }

  publicKeys(): PublicKeyInfo[] {
    return this.ring.publicKeys().map(({ version, publicKey }) => ({
      version,
      key_name: this.originPrefix,
      key_id: noteKeyId(this.originPrefix, publicKey),
      algorithm: 'ed25519',
      public_key: publicKey.toString('base64'),
      verifier_key: verifierKeyString(this.originPrefix, publicKey),
      current: version === this.ring.current.version,
    }));
  }
}
