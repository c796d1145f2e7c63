import { Transform, type TransformCallback } from 'node:stream';
import { TurnBudget } from '@app/common';

const NEWLINE = 0x0a;
const SPACE = 0x20;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const FIELD = 0x02;

/**
 * `JSON.stringify(JSON.parse(text))` writes jsonb text differently only in its spacing (jsonb puts
 * one space after each `:` and `,` outside strings; both escape strings alike), in numbers
 * (jsonb keeps numeric's digits, JS its double's), and in the order of integer-like keys (JS puts
 * them first). Text with no digit outside strings and no string made of digits only has neither:
 * this tells whether `input[start, end)` is such text.
 */
function isPlainJson(input: Buffer, start: number, end: number): boolean {
  let inString = false;
  let onlyDigits = false;
  for (let i = start; i < end; i += 1) {
    const byte = input[i];
    const digit = byte >= DIGIT_0 && byte <= DIGIT_9;
    if (inString) {
      if (byte === BACKSLASH) {
        i += 1;
        onlyDigits = false;
      } else if (byte === QUOTE) {
        if (onlyDigits) return false;
        inString = false;
      } else if (!digit) onlyDigits = false;
    } else if (digit) return false;
    else if (byte === QUOTE) {
      inString = true;
      onlyDigits = input[i + 1] !== QUOTE;
    }
  }
  return true;
}

/**
 * Copies plain jsonb text to `out` at `at` without the spaces outside strings (quote, backslash
 * and space never occur inside a multi-byte UTF-8 sequence); returns the new write position. It
 * only drops bytes, so `out` may be `input` itself with `at <= start`.
 */
function compactPlainJson(input: Buffer, start: number, end: number, out: Buffer, at: number): number {
  let written = at;
  let inString = false;
  for (let i = start; i < end; i += 1) {
    const byte = input[i];
    if (inString) {
      if (byte === BACKSLASH) {
        out[written++] = byte;
        out[written++] = input[++i];
        continue;
      }
      if (byte === QUOTE) inString = false;
    } else if (byte === SPACE) continue;
    else if (byte === QUOTE) inString = true;
    out[written++] = byte;
  }
  return written;
}

/**
 * Turns the NDJSON export's COPY output (three fields per line, see exportCopySql) into one
 * JSON object per line: the first and last fields are copied byte for byte, the metadata in
 * between (jsonb text, with PostgreSQL's spacing) becomes `JSON.stringify(JSON.parse(text))`,
 * exactly what the list API answers for it (compacted without parsing when that is provably the same). One
 * pass over each chunk, in place; a partial line waits for the next chunk.
 */
export class NdjsonLines extends Transform {
  private carry: Buffer | null = null;

  /**
   * The COPY's data arrives up to 2 MiB per event-loop turn, 25-40 ms of rewriting here: past the
   * turn's budget a chunk is handed on in the next turn, so requests in flight wait ~5 ms at most.
   */
  constructor(private readonly turn = new TurnBudget()) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const input = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    // Lines only shrink, and every write lands before the bytes still to be read, so each chunk
    // is rewritten in place: no second buffer per chunk (the copy's chunks are ours once pushed).
    let out = input;
    let written = 0;
    let start = 0;
    try {
      for (let end = input.indexOf(NEWLINE, start); end !== -1; end = input.indexOf(NEWLINE, start)) {
        const first = input.indexOf(FIELD, start);
        const second = first === -1 ? -1 : input.indexOf(FIELD, first + 1);
        if (first === -1 || second === -1 || second > end) throw new Error('unexpected NDJSON export row');
        written += input.copy(out, written, start, first);
        if (isPlainJson(input, first + 1, second)) written = compactPlainJson(input, first + 1, second, out, written);
        else {
          const compact = Buffer.from(JSON.stringify(JSON.parse(input.toString('utf8', first + 1, second))), 'utf8');
          if (out === input && written + compact.length > second) {
            // Never seen (JSON.stringify is never longer than jsonb's text); copy out rather than overrun.
            out = Buffer.allocUnsafe(input.length * 2 + compact.length);
            input.copy(out, 0, 0, written);
          } else if (out !== input && written + compact.length > out.length - (input.length - second)) {
            const grown = Buffer.allocUnsafe(out.length * 2 + compact.length);
            out.copy(grown, 0, 0, written);
            out = grown;
          }
          written += compact.copy(out, written);
        }
        written += input.copy(out, written, second + 1, end + 1);
        start = end + 1;
      }
    } catch (error) {
      done(error as Error);
      return;
    }
    this.carry = start < input.length ? Buffer.from(input.subarray(start)) : null;
    if (this.turn.overrun()) setImmediate(done, null, out.subarray(0, written));
    else done(null, out.subarray(0, written));
  }

  override _flush(done: TransformCallback): void {
    done(this.carry && this.carry.length > 0 ? new Error('the export ended in the middle of a row') : null);
  }
}
