import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateDevMasterKey } from './dev-master-key';
import { MasterKeyRing } from './master-key-ring';
import { MasterKeyConfigError } from './vault-crypto.exception';

describe('loadOrCreateDevMasterKey', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'vault-dev-key-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('creates <dataDir>/master.key with mode 0600 holding one v1 entry, then re-uses it', () => {
    const dataDir = join(root, 'nested', '.data');

    const first = loadOrCreateDevMasterKey(dataDir);
    const second = loadOrCreateDevMasterKey(dataDir);

    expect(first).toMatchObject({ created: true, path: join(dataDir, 'master.key') });
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    expect(first.entry).toMatch(/^v1:[A-Za-z0-9+/]{43}=$/);
    expect(MasterKeyRing.parse(first.entry).current.version).toBe('v1');
    expect(second).toEqual({ ...first, created: false });
    expect(readdirSync(dataDir)).toEqual(['master.key']);
  });

  it('never overwrites an existing key file', () => {
    const existing = MasterKeyRing.generateEntry('v1');
    writeFileSync(join(root, 'master.key'), `${existing}\n`, { mode: 0o600 });

    expect(loadOrCreateDevMasterKey(root)).toMatchObject({ entry: existing, created: false });
  });

  it.each([0o644, 0o640, 0o604])('refuses a key file with mode %o without printing the key', (mode) => {
    const { path, entry } = loadOrCreateDevMasterKey(root);
    chmodSync(path, mode);

    expect(() => loadOrCreateDevMasterKey(root)).toThrow(MasterKeyConfigError);
    expect(() => loadOrCreateDevMasterKey(root)).toThrow(/accessible by group or others.*chmod 600/);
    expect(() => loadOrCreateDevMasterKey(root)).not.toThrow(entry.slice(3));
    expect(readFileSync(path, 'utf8').trim()).toBe(entry);
  });

  it('refuses a corrupt key file, naming the file', () => {
    writeFileSync(join(root, 'master.key'), 'v1:tooshort\n', { mode: 0o600 });

    expect(() => loadOrCreateDevMasterKey(root)).toThrow(/master\.key: master key entry 1 \(v1\) decodes to/);
  });
});
