import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ServerUser } from './server-user';

const RELOCATED_CLUSTERS_ROOT = '/var/lib/sso-broker/clusters';

export interface ClusterState {
  port: number;
  /** Superuser password: migrations only. */
  password: string;
  /** Password of the least-privilege login the broker itself uses. */
  appPassword: string;
}

/**
 * Where the embedded cluster lives and the small state file (port, generated password) that
 * lets a restart find it again. Everything stays under DATA_DIR unless the `postgres` OS user
 * cannot reach DATA_DIR (root running from a 0700 home), in which case the cluster moves to
 * a root-managed path derived from DATA_DIR and the log says where.
 */
export class ClusterLayout {
  readonly dataDir: string;
  readonly clusterDir: string;
  readonly relocated: boolean;
  private readonly stateFile: string;

  constructor(dataDir: string, user: ServerUser) {
    this.dataDir = resolve(dataDir);
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    // The server user must traverse DATA_DIR (never read it: master.key stays 0600).
    if (user.isDelegated) chmodSync(this.dataDir, 0o711);
    this.stateFile = join(this.dataDir, 'embedded-postgres.json');
    const preferred = join(this.dataDir, 'postgres');
    this.relocated = user.isDelegated && !this.reachable(preferred, user);
    if (this.relocated) {
      // Traversable by the postgres user; each cluster directory inside stays 0700 and its own.
      mkdirSync(RELOCATED_CLUSTERS_ROOT, { recursive: true, mode: 0o755 });
      chmodSync(RELOCATED_CLUSTERS_ROOT, 0o755);
    }
    this.clusterDir = this.relocated ? join(RELOCATED_CLUSTERS_ROOT, digest(this.dataDir)) : preferred;
    mkdirSync(this.clusterDir, { recursive: true, mode: 0o700 });
    user.own(this.clusterDir);
  }

  get initialised(): boolean {
    return existsSync(join(this.clusterDir, 'PG_VERSION'));
  }

  /** Which broker process supervises the cluster now (so a second one does not take it over). */
  get ownerFile(): string {
    return join(this.dataDir, 'embedded-postgres.owner');
  }

  get pidFile(): string {
    return join(this.clusterDir, 'postmaster.pid');
  }

  readState(): ClusterState | undefined {
    if (!existsSync(this.stateFile)) return undefined;
    return JSON.parse(readFileSync(this.stateFile, 'utf8')) as ClusterState;
  }

  writeState(state: ClusterState): void {
    writeFileSync(this.stateFile, JSON.stringify(state), { mode: 0o600 });
  }

  newState(port: number): ClusterState {
    return {
      port,
      password: randomBytes(24).toString('base64url'),
      appPassword: randomBytes(24).toString('base64url'),
    };
  }

  private reachable(dir: string, user: ServerUser): boolean {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    user.own(dir);
    return user.canWriteInside(dir);
  }
}

function digest(path: string): string {
  return createHash('sha256').update(path).digest('hex').slice(0, 16);
}
