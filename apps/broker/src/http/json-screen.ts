import type { IncomingMessage } from 'node:http';

/** Deeper than any body the API accepts; recursive validation of deeper input overflows the stack. */
export const MAX_JSON_DEPTH = 64;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NUL_ESCAPE = Buffer.from('u0000');

/**
 * body-parser `verify` hook, one pass over the raw bytes before they are parsed. It refuses
 * - nesting deeper than MAX_JSON_DEPTH (type `entity.too.deep` → 400 json_too_deep);
 * - a NUL character (`\u0000`) in any string or key (type `entity.nul.char` → 400
 *   invalid_characters): PostgreSQL text cannot hold NUL, so such a value would otherwise
 *   fail deep in a write with a 500. JSON forbids a raw NUL inside strings, so the escape is
 *   the only way one can arrive.
 */
export function screenJsonBody(_req: IncomingMessage, _res: unknown, body: Buffer): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) {
        if (isNulEscapeAt(body, i + 1)) throw bodyError('NUL character in a JSON string', 'entity.nul.char');
        i++;
      } else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > MAX_JSON_DEPTH) throw bodyError('JSON nested too deeply', 'entity.too.deep');
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    }
  }
}

/** Buffer#compare throws past the end of the buffer, hence the bounds check (a body may end mid-escape). */
function isNulEscapeAt(body: Buffer, start: number): boolean {
  const end = start + NUL_ESCAPE.length;
  return end <= body.length && body.compare(NUL_ESCAPE, 0, NUL_ESCAPE.length, start, end) === 0;
}

function bodyError(message: string, type: string): Error {
  return Object.assign(new Error(message), { type, status: 400 });
}
