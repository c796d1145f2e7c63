import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
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

/** The checkpoint files named: files as given, and every regular file of a directory (e.g. DATA_DIR/checkpoints). */
export function checkpointFilesOf(paths: readonly string[]): string[] {
  return paths.flatMap((path) =>
    statSync(path).isDirectory()
      ? readdirSync(path)
          .sort()
          .map((name) => join(path, name))
          .filter((file) => statSync(file).isFile())
      : [path],
  );
}

/** Every note of the files, read at once (the offline check holds them anyway). Invalid UTF-8 is refused. */
export function readCheckpointFiles(files: readonly string[]): ExternalCheckpoint[] {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  return files.flatMap((file) =>
    splitNotes(decoder.decode(readFileSync(file))).map((note) => ({ note, source: file })),
  );
}

/**
 * The notes of one checkpoint file, streamed (a chain's file grows by a note per checkpoint):
 * the same splitting as splitNotes. A missing file yields nothing.
 */
export async function* streamNotes(path: string): AsyncGenerator<ExternalCheckpoint> {
  let stream: ReturnType<typeof createReadStream>;
  try {
    await access(path);
    stream = createReadStream(path, { encoding: 'utf8' });
  } catch {
    return;
  }
  let current: string[] = [];
  let inSignatures = false;
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    if (line.startsWith(SIGNATURE_LINE)) {
      inSignatures = true;
      current.push(line);
      continue;
    }
    if (inSignatures) {
      yield { note: `${current.join('\n')}\n`, source: path };
      current = [];
      inSignatures = false;
    }
    if (line !== '' || current.length > 0) current.push(line);
  }
  if (current.length > 0) yield { note: `${current.join('\n')}\n`, source: path };
}
