import { mkdtempSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointSigner, openCheckpoint, parseCheckpointText } from './checkpoint-note';
import { loadOrCreateDevSigningKey } from './dev-signing-key';
import { parseSignedNote, parseVerifierKey } from './signed-note';
import { AuditSigningKeyRing } from './signing-key-ring';

const chainId = '6f1c1b4e-8a53-4d0e-9a55-2d8b4f3e9a10';
const statement = { chainId, seq: '42', hash: 'ab'.repeat(32), time: new Date('2026-01-02T03:04:05.678Z') };

describe('checkpoint notes', () => {
  const v1 = AuditSigningKeyRing.generateEntry('v1');
  const v2 = AuditSigningKeyRing.generateEntry('v2');

  it('are tlog-checkpoint notes: origin, size, base64 head hash, time, then the signature', () => {
    const signer = new CheckpointSigner(AuditSigningKeyRing.parse(v1), 'sso-broker.example/audit');
    const { note, keyId } = signer.sign(statement);
    const lines = note.split('\n');
    expect(lines.slice(0, 5)).toEqual([
      `sso-broker.example/audit/${chainId}`,
      '42',
      Buffer.alloc(32, 0xab).toString('base64'),
      'time 2026-01-02T03:04:05.678Z',
      '',
    ]);
    expect(lines[5]).toMatch(/^\u2014 sso-broker\.example\/audit [A-Za-z0-9+/]{91}=$/);
    expect(parseSignedNote(note).signatures[0].keyId).toBe(keyId);
    expect(parseCheckpointText(parseSignedNote(note).text)).toEqual({
      origin: `sso-broker.example/audit/${chainId}`,
      ...statement,
    });
  });

  it('verify with the published verifier key, and with every key of a rotated ring', () => {
    const old = new CheckpointSigner(AuditSigningKeyRing.parse(v1), 'sso-broker.example/audit');
    const rotated = new CheckpointSigner(AuditSigningKeyRing.parse(`${v2},${v1}`), 'sso-broker.example/audit');
    const oldNote = old.sign(statement).note;
    const newNote = rotated.sign(statement).note;
    const [published] = old.publicKeys();
    expect(published).toMatchObject({ version: 'v1', algorithm: 'ed25519', current: true });
    const pinned = parseVerifierKey(published.verifier_key);
    expect(openCheckpoint(oldNote, [pinned])).toMatchObject({ seq: '42', keyId: published.key_id });
    expect(() => openCheckpoint(newNote, [pinned])).toThrow(/no signature from a trusted key/);
    expect(rotated.publicKeys().map((k) => [k.version, k.current])).toEqual([
      ['v2', true],
      ['v1', false],
    ]);
    for (const note of [oldNote, newNote]) expect(openCheckpoint(note, rotated.verifierKeys()).seq).toBe('42');
    // A note made under another origin prefix still verifies with the same key.
    const renamed = new CheckpointSigner(AuditSigningKeyRing.parse(v1), 'audit.other.example').sign(statement).note;
    expect(openCheckpoint(renamed, old.verifierKeys()).origin).toBe(`audit.other.example/${chainId}`);
  });

  it('refuse a malformed key list naming the entry, never the key', () => {
    const secret = v1.slice(3);
    for (const [text, message] of [
      ['', /empty/],
      [secret, /entry 1 is malformed/],
      [`v1:${secret},v1:${secret}`, /repeats version v1/],
      [`v1:${secret.slice(1)}`, /canonical base64 of 32 bytes/],
    ] as const) {
      let error: Error | undefined;
      try {
        AuditSigningKeyRing.parse(text);
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message).toMatch(message);
      expect(error?.message).not.toContain(secret.slice(0, 10));
    }
  });

  it('development key: generated once into DATA_DIR with mode 0600, refused when others can read it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-key-'));
    const first = loadOrCreateDevSigningKey(dir);
    const second = loadOrCreateDevSigningKey(dir);
    expect(first.created).toBe(true);
    expect(second).toEqual({ ...first, created: false });
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    chmodSync(first.path, 0o644);
    expect(() => loadOrCreateDevSigningKey(dir)).toThrow(/chmod 600/);
    writeFileSync(first.path, 'garbage\n', { mode: 0o600 });
    chmodSync(first.path, 0o600);
    expect(() => loadOrCreateDevSigningKey(dir)).toThrow(/malformed/);
  });
});
