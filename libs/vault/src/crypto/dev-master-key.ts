import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { MasterKeyRing } from './master-key-ring';
import { MasterKeyConfigError } from './vault-crypto.exception';

export interface DevMasterKey {
  /** `BROKER_MASTER_KEYS`-formatted text, e.g. `v1:<base64>`. */
  entry: string;
  created: boolean;
  path: string;
}

/** Development only: the master key kept in `<dataDir>/master.key` when none is configured. */
export function loadOrCreateDevMasterKey(dataDir: string): DevMasterKey {
  const path = join(dataDir, 'master.key');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const created = !existsSync(path) && createExclusively(path, `${MasterKeyRing.generateEntry('v1')}\n`);
  return { entry: readPrivateKeyFile(path), created, path };
}

/**
 * Writes a private temp file, then hard-links it into place: the key file appears complete or
 * not at all, and link (unlike rename) fails on an existing file, so when two processes start
 * at once the first key wins and both use it.
 */
function createExclusively(path: string, content: string): boolean {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(temp);
  }
}

// Like ssh with a private key, refuse a key file others can read rather than silently use it.
function readPrivateKeyFile(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new MasterKeyConfigError(`${path} is not a regular file`);
    const mode = stat.mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new MasterKeyConfigError(
        `${path} is accessible by group or others (mode ${mode.toString(8)}); run: chmod 600 ${path}`,
      );
    }
    const entry = readFileSync(fd, 'utf8').trim();
    assertParses(entry, path);
    return entry;
  } finally {
    closeSync(fd);
  }
}

function assertParses(entry: string, path: string): void {
  try {
    MasterKeyRing.parse(entry);
  } catch (error) {
    if (error instanceof MasterKeyConfigError) throw new MasterKeyConfigError(`${path}: ${error.message}`);
    throw error;
  }
}
