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
import { dirname } from 'node:path';

/** How a kind of key file is made, checked and reported (the vault's master key, the audit signing key). */
export interface PrivateKeyFileKind {
  /** A new key's text, written once when the file does not exist. */
  generate: () => string;
  /** Throws when the text is not a valid key of this kind. */
  parse: (text: string) => unknown;
  /** The error type the caller's configuration errors use. */
  error: (message: string) => Error;
}

export interface PrivateKeyFile {
  text: string;
  created: boolean;
  path: string;
}

/**
 * Development keys kept on disk (mode 0600 in a 0700 directory), generated on first use. Two
 * processes starting at once end up with the same key: the first writer wins.
 */
export function loadOrCreatePrivateKeyFile(path: string, kind: PrivateKeyFileKind): PrivateKeyFile {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const created = !existsSync(path) && createExclusively(path, `${kind.generate()}\n`);
  return { text: readPrivateKeyFile(path, kind), created, path };
}

/**
 * Like ssh with a private key, refuses a file that group or others can read rather than silently
 * using it; a malformed key is reported with the file's path (never with its content).
 */
export function readPrivateKeyFile(path: string, kind: Pick<PrivateKeyFileKind, 'parse' | 'error'>): string {
  const fd = openSync(path, 'r');
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw kind.error(`${path} is not a regular file`);
    const mode = stat.mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw kind.error(`${path} is accessible by group or others (mode ${mode.toString(8)}); run: chmod 600 ${path}`);
    }
    const text = readFileSync(fd, 'utf8').trim();
    try {
      kind.parse(text);
    } catch (error) {
      throw kind.error(`${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return text;
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a private temp file, then hard-links it into place: the file appears complete or not at
 * all, and link (unlike rename) fails on an existing file.
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
