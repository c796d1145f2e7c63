import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const REQUEST_ID_HEADER = 'X-Request-Id';

// Caller-supplied ids end up in logs and audit rows: only short, plain tokens are trusted,
// so a header cannot inject log lines, markup or megabytes.
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The incoming `X-Request-Id` when it is a sane token, else undefined. */
export function acceptableRequestId(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && ACCEPTABLE_REQUEST_ID.test(value) ? value : undefined;
}

/**
 * Fastify's `genReqId`: the caller's `X-Request-Id` when sane, else a fresh UUID. It becomes
 * `request.id`; an `onRequest` hook (installHttpObservability) answers it in `X-Request-Id`.
 */
export function requestIdFor(req: { headers: IncomingHttpHeaders }): string {
  return acceptableRequestId(req.headers['x-request-id']) ?? randomUUID();
}
