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
import { AuditSigningKeyRing, SigningKeyConfigError } from './signing-key-ring';

export const DEV_SIGNING_KEY_FILE = 'audit-signing.key';

export interface DevSigningKey {
  /** `BROKER_AUDIT_SIGNING_KEYS`-formatted text, e.g. `v1:<base64>`. */
  entry: string;
  created: boolean;
  path: string;
}

/**
 * Outside production only: the checkpoint signing key kept in `<dataDir>/audit-signing.key`
 * (mode 0600) when BROKER_AUDIT_SIGNING_KEYS is not set, generated once, the way the vault keeps
 * its development master key (`master.key`).
 */
export function loadOrCreateDevSigningKey(dataDir: string): DevSigningKey {
  const path = join(dataDir, DEV_SIGNING_KEY_FILE);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const created = !existsSync(path) && createExclusively(path, `${AuditSigningKeyRing.generateEntry('v1')}\n`);
  return { entry: readDevSigningKey(path), created, path };
}

/**
 * Writes a private temp file, then hard-links it into place: the file appears complete or not
 * at all, and link (unlike rename) fails on an existing file, so of two processes starting at
 * once the first key wins and both use it.
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

/** Refuses a key file that group or others can read, rather than silently using it (like ssh). */
export function readDevSigningKey(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new SigningKeyConfigError(`${path} is not a regular file`);
    const mode = stat.mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new SigningKeyConfigError(
        `${path} is accessible by group or others (mode ${mode.toString(8)}); run: chmod 600 ${path}`,
      );
    }
    const entry = readFileSync(fd, 'utf8').trim();
    try {
      AuditSigningKeyRing.parse(entry);
    } catch (error) {
      if (error instanceof SigningKeyConfigError) throw new SigningKeyConfigError(`${path}: ${error.message}`);
      throw error;
    }
    return entry;
  } finally {
    closeSync(fd);
  }
}
