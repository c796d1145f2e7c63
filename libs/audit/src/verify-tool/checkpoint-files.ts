import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ExternalCheckpoint } from '../store/verify-chain';

const SIGNATURE_LINE = '\u2014 ';

/**
 * The notes of a checkpoint file: the file sink writes each chain's notes one after the other,
 * every note ending with its signature lines, so a note ends where a line that is not a signature
 * line follows a signature line. Blank lines between notes are tolerated.
 */
export function splitNotes(text: string): string[] {
  const notes: string[] = [];
  let current: string[] = [];
  let inSignatures = false;
  const flush = () => {
    if (current.length > 0) notes.push(`${current.join('\n')}\n`);
    current = [];
    inSignatures = false;
  };
  for (const line of text.split('\n')) {
    if (line.startsWith(SIGNATURE_LINE)) {
      inSignatures = true;
      current.push(line);
    } else if (line === '') {
      if (inSignatures) flush();
      else if (current.length > 0) current.push(line);
    } else {
      if (inSignatures) flush();
      current.push(line);
    }
  }
  flush();
  return notes;
}

/**
 * Checkpoint notes from files or directories (a directory: every regular file in it, e.g. the
 * file sink's DATA_DIR/checkpoints). Text that is not valid UTF-8 is refused.
 */
export function readCheckpointFiles(paths: readonly string[]): ExternalCheckpoint[] {
  const files: string[] = [];
  for (const path of paths) {
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) {
        const file = join(path, name);
        if (statSync(file).isFile()) files.push(file);
      }
    } else files.push(path);
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  return files.flatMap((file) =>
    splitNotes(decoder.decode(readFileSync(file))).map((note) => ({ note, source: file })),
  );
}
