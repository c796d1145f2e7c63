import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const REQUEST_ID_HEADER = 'X-Request-Id';

// Caller-supplied ids end up in logs and audit rows: only short, plain tokens are trusted,
// so a header cannot inject log lines, markup or megabytes.
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The incoming `X-Request-Id` when it is a sane token, else undefined. */
export function acceptableRequestId(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && ACCEPTABLE_REQUEST_ID.test(value) ? value : undefined;
}

/**
 * pino-http's `genReqId`: it runs first for every request, so setting the response header here
 * puts `X-Request-Id` on every answer, errors and 404s included.
 */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const id = acceptableRequestId(req.headers['x-request-id']) ?? randomUUID();
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}
