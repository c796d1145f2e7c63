import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BrokerException } from '@app/common';
import { MAX_BODY_BYTES } from '../bootstrap/http-adapter';
import { decodeContentEncoding } from './content-encoding';
import { screenJsonBody } from './json-screen';

/** `application/json` and any `application/<something>+json` (merge-patch, problem, …). */
const JSON_SUFFIX_TYPE = /^application\/[^\s;/]+\+json(?:;|$)/;
/** body-parser's strict mode: a body is an object or an array, after optional whitespace. */
const LEADING_WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * The only body parsers the broker has. Fastify answers any other media type with 415 (mapped to
 * unsupported_media_type), a body over `bodyLimit` with 413 (payload_too_large); the raw bytes of a
 * JSON body are screened (depth, NUL characters) before JSON.parse, and an empty one is `{}`.
 */
export function registerJsonBodyParser(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  const parser = (
    request: FastifyRequest,
    body: string | Buffer,
    done: (err: Error | null, body?: unknown) => void,
  ) => {
    try {
      done(null, parseJsonBody(request, body as Buffer));
    } catch (error) {
      done(error as Error, undefined);
    }
  };
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, parser);
  fastify.addContentTypeParser(JSON_SUFFIX_TYPE, { parseAs: 'buffer' }, parser);
}

function parseJsonBody(request: FastifyRequest, raw: Buffer): unknown {
  refuseOtherCharsets(request.headers['content-type']);
  const body = decodeContentEncoding(request.headers['content-encoding'], raw, MAX_BODY_BYTES);
  if (body.length === 0) return {};
  screenJsonBody(body);
  let first = 0;
  while (first < body.length && LEADING_WHITESPACE.has(body[first])) first++;
  if (body[first] !== 0x7b && body[first] !== 0x5b) throw malformed();
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    // The parser's message may echo the payload: it is replaced.
    throw malformed();
  }
}

function refuseOtherCharsets(contentType: string | undefined): void {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new BrokerException(415, 'unsupported_media_type', 'The request body must be UTF-8 JSON.');
  }
}

function malformed(): BrokerException {
  return new BrokerException(400, 'malformed_json', 'The request body is not valid JSON.');
}
