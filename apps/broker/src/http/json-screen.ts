import { BrokerException } from '@app/common';

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
 * One pass over the raw bytes of a JSON body before they are parsed (the JSON content-type
 * parser runs it). It refuses
 * - nesting deeper than MAX_JSON_DEPTH (400 json_too_deep);
 * - a NUL character (`\u0000`) in any string or key (400 invalid_characters): PostgreSQL
 *   text cannot hold NUL, so such a value would otherwise
 *   fail deep in a write with a 500. JSON forbids a raw NUL inside strings, so the escape is
 *   the only way one can arrive.
 */
export function screenJsonBody(body: Buffer): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) {
        if (isNulEscapeAt(body, i + 1)) throw nulInBody();
        i++;
      } else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > MAX_JSON_DEPTH) throw tooDeep();
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

function tooDeep(): BrokerException {
  return new BrokerException(400, 'json_too_deep', 'The request body is nested too deeply.');
}

function nulInBody(): BrokerException {
  return new BrokerException(
    400,
    'invalid_characters',
    'Strings in the request body must not contain NUL characters (\\u0000).',
  );
}
