import { Transform, type TransformCallback } from 'node:stream';

const NEWLINE = 0x0a;
const FIELD = 0x02;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * Turns the NDJSON export's COPY output (three fields per line, see exportCopySql) into one
 * JSON object per line: the first and last fields are copied byte for byte, the metadata in
 * between (jsonb text, with PostgreSQL's spacing) becomes `JSON.stringify(JSON.parse(text))`,
 * exactly what the list API answers for it; an empty object is copied as is. One pass over
 * each chunk; a partial line waits for the next chunk. Output is never longer than input.
 */
export class NdjsonLines extends Transform {
  private carry: Buffer | null = null;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const input = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    let out = Buffer.allocUnsafe(input.length);
    let written = 0;
    let start = 0;
    try {
      for (let end = input.indexOf(NEWLINE, start); end !== -1; end = input.indexOf(NEWLINE, start)) {
        const first = input.indexOf(FIELD, start);
        const second = first === -1 ? -1 : input.indexOf(FIELD, first + 1);
        if (first === -1 || second === -1 || second > end) throw new Error('unexpected NDJSON export row');
        written += input.copy(out, written, start, first);
        if (second - first === 3 && input[first + 1] === OPEN_BRACE && input[first + 2] === CLOSE_BRACE) {
          out[written++] = OPEN_BRACE;
          out[written++] = CLOSE_BRACE;
        } else {
          const compact = JSON.stringify(JSON.parse(input.toString('utf8', first + 1, second)));
          const room = out.length - written;
          if (compact.length * 3 > room && Buffer.byteLength(compact) > room) {
            const grown = Buffer.allocUnsafe(out.length * 2 + Buffer.byteLength(compact));
            out.copy(grown, 0, 0, written);
            out = grown;
          }
          written += out.write(compact, written, 'utf8');
        }
        written += input.copy(out, written, second + 1, end + 1);
        start = end + 1;
      }
    } catch (error) {
      done(error as Error);
      return;
    }
    this.carry = start < input.length ? input.subarray(start) : null;
    done(null, out.subarray(0, written));
  }

  override _flush(done: TransformCallback): void {
    done(this.carry && this.carry.length > 0 ? new Error('the export ended in the middle of a row') : null);
  }
}
