import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { MasterKeyRing } from './master-key-ring';
import { MasterKeyConfigError } from './vault-crypto.exception';

const key = (bytes = 32) => randomBytes(bytes).toString('base64');

function parseError(text: string): MasterKeyConfigError {
  try {
    MasterKeyRing.parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(MasterKeyConfigError);
    return error as MasterKeyConfigError;
  }
  throw new Error('expected MasterKeyRing.parse to throw');
}

describe('MasterKeyRing', () => {
  it('makes the highest version current, comparing numerically, whatever the order', () => {
    const sut = MasterKeyRing.parse(`v2:${key()}, v10:${key()},v1:${key()}`);

    expect(sut.current).toEqual({ version: 'v10' });
    expect(sut.versions).toEqual(['v10', 'v2', 'v1']);
    expect(sut.has('v2')).toBe(true);
    expect(sut.has('v3')).toBe(false);
  });

  it('never exposes key material when logged or serialised', () => {
    const text = `v1:${key()}`;
    const sut = MasterKeyRing.parse(text);

    for (const shown of [inspect(sut, { showHidden: true, depth: 5 }), JSON.stringify(sut)]) {
      expect(shown).not.toContain(text.slice(3));
      expect(shown).toContain('v1');
    }
  });

  it('generates entries that parse to a fresh 32-byte key', () => {
    const first = MasterKeyRing.generateEntry();
    const second = MasterKeyRing.generateEntry('v7');

    expect(first).toMatch(/^v1:[A-Za-z0-9+/]{43}=$/);
    expect(second.startsWith('v7:')).toBe(true);
    expect(first.slice(3)).not.toEqual(second.slice(3));
    expect(MasterKeyRing.parse(`${second},${first}`).current.version).toBe('v7');
    expect(() => MasterKeyRing.generateEntry('7')).toThrow(MasterKeyConfigError);
  });

  describe('rejects bad configuration without echoing key text', () => {
    const good = key();
    const cases: Array<[string, string, string, RegExp]> = [
      ['bad base64', `v1:${good}`, `v1:${good.slice(0, 20)}!!${good.slice(22)}`, /entry 2 \(v1\) is not canonical/],
      ['base64url alphabet', `v1:${good}`, `v1:${'-_'.repeat(21)}A=`, /entry 2 \(v1\) is not canonical base64/],
      ['31 bytes', `v1:${good}`, `v1:${key(31)}`, /entry 2 \(v1\) decodes to 31 bytes; expected 32/],
      ['33 bytes', `v1:${good}`, `v1:${key(33)}`, /entry 2 \(v1\) decodes to 33 bytes/],
      ['duplicate version', `v3:${good}`, `v3:${key()}`, /entry 2 repeats version v3/],
      ['missing version prefix', `v2:${good}`, key(), /entry 2 is malformed/],
      ['leading zero version', `v2:${good}`, `v01:${key()}`, /entry 2 is malformed/],
      ['empty entry', `v2:${good}`, '', /entry 2 is malformed/],
    ];

    it.each(cases)('%s', (_name, first, second, message) => {
      const error = parseError(`${first},${second}`);

      expect(error.message).toMatch(message);
      for (const secretText of [good, second.replace(/^v\d+:/, '')].filter((s) => s.length > 0)) {
        expect(error.message).not.toContain(secretText);
        expect(error.message).not.toContain(secretText.slice(0, 12));
      }
    });

    it.each(['', '  '])('an empty list %p', (text) => {
      expect(parseError(text).message).toMatch(/master key list is empty/);
    });
  });
});
