import type { FastifyInstance } from 'fastify';
import { BrokerException } from '@app/common';

/** A percent-encoded NUL anywhere in the path or query; `%00` has no letters, so no case to fold. */
const ENCODED_NUL = '%00';

/**
 * PostgreSQL text cannot hold NUL: a path or query value carrying one would fail deep in a
 * query with a 500. Refused in an `onRequest` hook, for every route, before the body is read
 * and before authentication.
 */
export function refuseNulInUrl(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    if (!request.url.includes(ENCODED_NUL)) return done();
    done(new BrokerException(400, 'invalid_characters', 'The request URL contains a NUL character (%00).'));
  });
}
