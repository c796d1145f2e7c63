import { constants } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';

/** The file a chain's checkpoints are appended to, under the sink's directory. */
export function checkpointFileName(chainId: string): string {
  return `${chainId}.checkpoints`;
}

/**
 * The append-only file sink (docs/audit.md#checkpoints): one file per chain,
 * `<dir>/<chain id>.checkpoints`, holding that chain's notes one after the other, each ending
 * with its signature line. Files are opened O_APPEND, written, fsynced and closed; a new file's
 * directory entry is fsynced too. The checkpoint round writes here before it commits the
 * database rows, so the copy outside the database is never behind the table (a crash in
 * between leaves a note the table lacks, which the next round supersedes).
 */
export class CheckpointFileSink {
  constructor(readonly directory: string) {}

  async append(notes: ReadonlyArray<{ chainId: string; note: string }>): Promise<void> {
    if (notes.length === 0) return;
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    const byChain = new Map<string, string[]>();
    for (const { chainId, note } of notes) {
      const list = byChain.get(chainId);
      if (list) list.push(note);
      else byChain.set(chainId, [note]);
    }
    let created = false;
    const chains = [...byChain.entries()];
    // A few files at a time: fsyncs overlap, without opening thousands of descriptors at once.
    for (let i = 0; i < chains.length; i += 16) {
      const results = await Promise.all(
        chains.slice(i, i + 16).map(([chainId, list]) => this.appendFile(chainId, list.join(''))),
      );
      created ||= results.includes(true);
    }
    if (created) {
      const dir = await open(this.directory, constants.O_RDONLY);
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    }
  }

  /** true when the file was created by this write. */
  private async appendFile(chainId: string, text: string): Promise<boolean> {
    const path = join(this.directory, checkpointFileName(chainId));
    const file = await open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
    try {
      const { size } = await file.stat();
      await file.writeFile(text, 'utf8');
      await file.datasync();
      return size === 0;
    } finally {
      await file.close();
    }
  }
}
