import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BrokerException } from '@app/common';
import { MAX_BODY_BYTES } from '../bootstrap/http-adapter';
import { decodeContentEncoding } from './content-encoding';
import { screenJsonBody } from './json-screen';

/** `application/json` and any `application/<something>+json` (merge-patch, problem, …). */
const JSON_SUFFIX_TYPE = /^application\/[^\s;/]+\+json(?:;|$)/;
/** body-parser's strict mode: a body is an object or an array, after optional whitespace. */
const LEADING_WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** Route config flag (`@RouteConfig({ [FORM_BODY_ROUTE]: true })`): this route also takes an HTML form body. */
export const FORM_BODY_ROUTE = 'acceptsFormBody';
/** An HTML form body is accepted only by routes that ask for it, and only this big. */
export const MAX_FORM_BODY_BYTES = 1024;

/**
 * The only body parsers the broker has. Fastify answers any other media type with 415 (mapped to
 * unsupported_media_type), a body over `bodyLimit` with 413 (payload_too_large); the raw bytes of a
 * JSON body are screened (depth, NUL characters) before JSON.parse, and an empty one is `{}`.
 * `application/x-www-form-urlencoded` is parsed only for routes flagged FORM_BODY_ROUTE (the
 * launch-link redemption, posted by the broker's own continue page), at most 1 KiB; on every
 * other route it is a 415 like any non-JSON body.
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
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'buffer', bodyLimit: MAX_FORM_BODY_BYTES },
    (request: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
      const config = request.routeOptions.config as unknown as Record<string, unknown> | undefined;
      if (config?.[FORM_BODY_ROUTE] !== true) return done(unsupported());
      try {
        refuseOtherCharsets(request.headers['content-type']);
        const bytes = decodeContentEncoding(request.headers['content-encoding'], body as Buffer, MAX_FORM_BODY_BYTES);
        done(null, Object.fromEntries(new URLSearchParams(bytes.toString('utf8'))));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
}

function unsupported(): BrokerException {
  return new BrokerException(415, 'unsupported_media_type', 'The request body must be application/json.');
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
  if (contentType === undefined || !contentType.includes(';')) return; // no parameters, no charset
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new BrokerException(415, 'unsupported_media_type', 'The request body must be UTF-8.');
  }
}

function malformed(): BrokerException {
  return new BrokerException(400, 'malformed_json', 'The request body is not valid JSON.');
}
