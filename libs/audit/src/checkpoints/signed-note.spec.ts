import { createPrivateKey, sign } from 'node:crypto';
import {
  formatSignedNote,
  noteKeyId,
  openSignedNote,
  parseSignedNote,
  parseVerifierKey,
  verifierKeyString,
} from './signed-note';

/**
 * The example of golang.org/x/mod/sumdb/note (the reference implementation of C2SP signed-note):
 * key "PeterNeumann", private key PRIVATE+KEY+PeterNeumann+c74f20a3+AYEK…, verifier key
 * PeterNeumann+c74f20a3+ARpc…, and the signed note it documents.
 */
const SEED = Buffer.from('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz', 'base64').subarray(1);
const VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const NOTE = `${TEXT}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

const privateKey = createPrivateKey({
  key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), SEED]),
  format: 'der',
  type: 'pkcs8',
});

describe('C2SP signed note', () => {
  it('reproduces the reference key id, verifier key and signature', () => {
    const { name, keyId, publicKey } = parseVerifierKey(VKEY);
    expect({ name, keyId }).toEqual({ name: 'PeterNeumann', keyId: 'c74f20a3' });
    expect(noteKeyId('PeterNeumann', publicKey)).toBe('c74f20a3');
    expect(verifierKeyString('PeterNeumann', publicKey)).toBe(VKEY);
    const signature = sign(null, Buffer.from(TEXT), privateKey);
    expect(formatSignedNote(TEXT, [{ keyName: 'PeterNeumann', keyId: 'c74f20a3', signature }])).toBe(NOTE);
  });

  it('opens the reference note with the verifier key, pinned by name or not', () => {
    const { name, publicKey } = parseVerifierKey(VKEY);
    expect(openSignedNote(NOTE, [{ name, publicKey }])).toMatchObject({
      text: TEXT,
      verifiedBy: { keyName: 'PeterNeumann', keyId: 'c74f20a3' },
    });
    expect(openSignedNote(NOTE, [{ publicKey }]).text).toBe(TEXT);
  });

  it('rejects a changed text, an unknown key, a bad signature and malformed notes', () => {
    const { publicKey } = parseVerifierKey(VKEY);
    const other = Buffer.alloc(32, 7);
    expect(() => openSignedNote(NOTE.replace('problem,', 'problem;'), [{ publicKey }])).toThrow(/does not verify/);
    expect(() => openSignedNote(NOTE, [{ publicKey: other }])).toThrow(/no signature from a trusted key/);
    expect(() => openSignedNote(NOTE, [{ name: 'Other', publicKey }])).toThrow(/no signature from a trusted key/);
    // An unknown signer's line is ignored; the known one still decides.
    const extra = `${NOTE}\u2014 someone.example AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n`;
    expect(openSignedNote(extra, [{ publicKey }]).signatures).toHaveLength(2);
    for (const bad of [TEXT, NOTE.replace('\u2014 ', '-- '), NOTE.slice(0, -1), `a\u0001${NOTE}`, `\n${NOTE}`]) {
      expect(() => parseSignedNote(bad)).toThrow();
    }
    expect(() => parseVerifierKey('PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')).toThrow(
      /does not match/,
    );
  });
});
