import { constants } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** Files open at once while a round is written (well under the usual descriptor limit). */
const FILES_AT_ONCE = 256;

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
    // Write a batch of files first, then fsync them: the first fsync commits the file system's
    // journal with every file written before it, so the others find little left to flush (one
    // fsync per file, written one after the other, cost ~8 ms each on the benchmark machine).
    for (let i = 0; i < chains.length; i += FILES_AT_ONCE) {
      const batch = chains.slice(i, i + FILES_AT_ONCE);
      const files: FileHandle[] = [];
      try {
        for (const [chainId, list] of batch) {
          const file = await open(
            join(this.directory, checkpointFileName(chainId)),
            constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT,
            0o600,
          );
          files.push(file);
          if ((await file.stat()).size === 0) created = true;
          await file.writeFile(list.join(''), 'utf8');
        }
        await Promise.all(files.map((file) => file.datasync()));
      } finally {
        await Promise.all(files.map((file) => file.close()));
      }
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
}
