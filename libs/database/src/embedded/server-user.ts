import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync } from 'node:fs';

/**
 * PostgreSQL refuses to run as root. When the broker runs as root (containers, CI), the server
 * runs as the `postgres` OS user, created if missing; otherwise it runs as the current user.
 */
export class ServerUser {
  private constructor(
    readonly uid?: number,
    readonly gid?: number,
  ) {}

  static resolve(): ServerUser {
    if (process.getuid?.() !== 0) return new ServerUser();
    if (!ServerUser.exists()) {
      execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
      execFileSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres'], { stdio: 'ignore' });
    }
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return new ServerUser(uid, gid);
  }

  private static exists(): boolean {
    return spawnSync('id', ['-u', 'postgres'], { stdio: 'ignore' }).status === 0;
  }

  get isDelegated(): boolean {
    return this.uid !== undefined;
  }

  /** Spawn options that run a child process as this user. */
  get spawnIdentity(): { uid?: number; gid?: number } {
    return this.isDelegated ? { uid: this.uid, gid: this.gid } : {};
  }

  canExecute(file: string): boolean {
    return spawnSync('test', ['-x', file], { ...this.spawnIdentity, stdio: 'ignore' }).status === 0;
  }

  canWriteInside(dir: string): boolean {
    return spawnSync('test', ['-w', dir, '-a', '-x', dir], { ...this.spawnIdentity, stdio: 'ignore' }).status === 0;
  }

  own(path: string): void {
    if (this.isDelegated) chownSync(path, this.uid!, this.gid!);
  }
}
