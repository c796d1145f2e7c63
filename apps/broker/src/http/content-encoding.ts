import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { BrokerException } from '@app/common';

const DECODERS: Record<string, (body: Buffer, maxOutputLength: number) => Buffer> = {
  gzip: (body, maxOutputLength) => gunzipSync(body, { maxOutputLength }),
  'x-gzip': (body, maxOutputLength) => gunzipSync(body, { maxOutputLength }),
  // HTTP's "deflate" is zlib-wrapped (RFC 9110), but some clients send raw deflate: accept both.
  deflate: (body, maxOutputLength) => {
    try {
      return inflateSync(body, { maxOutputLength });
    } catch (error) {
      if (isTooLarge(error)) throw error;
      return inflateRawSync(body, { maxOutputLength });
    }
  },
  br: (body, maxOutputLength) => brotliDecompressSync(body, { maxOutputLength }),
};

/** More layers than this is not a client, it is an attempt to make the server work. */
const MAX_CODINGS = 2;

/**
 * A request body as sent (`Content-Encoding: gzip, br` applies gzip first, then br), decoded
 * back to its bytes. The decoded size is capped at `maxBytes` while decoding, so a small
 * compressed body cannot expand into a large one (413). Unknown codings answer 415 (RFC 9110
 * §15.5.16); corrupt or truncated data 400 `malformed_body`.
 */
export function decodeContentEncoding(header: string | undefined, body: Buffer, maxBytes: number): Buffer {
  if (header === undefined) return body;
  const codings = header
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  if (codings.length > MAX_CODINGS || codings.some((coding) => DECODERS[coding] === undefined)) {
    throw new BrokerException(
      415,
      'unsupported_media_type',
      'The request body must use no Content-Encoding, or gzip, deflate or br.',
    );
  }
  return codings.reduceRight((bytes, coding) => {
    try {
      return DECODERS[coding](bytes, maxBytes);
    } catch (error) {
      if (isTooLarge(error)) {
        throw new BrokerException(413, 'payload_too_large', 'The request body exceeds 64 KiB once decoded.');
      }
      throw new BrokerException(400, 'malformed_body', `The request body is not valid ${coding} data.`);
    }
  }, body);
}

function isTooLarge(error: unknown): boolean {
  return (error as { code?: unknown })?.code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError;
}
