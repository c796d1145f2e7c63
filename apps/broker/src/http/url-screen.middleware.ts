import type { NextFunction, Request, Response } from 'express';
import { sendProblem } from './problem';

/** A percent-encoded NUL anywhere in the path or query; `%00` has no letters, so no case to fold. */
const ENCODED_NUL = '%00';

/**
 * PostgreSQL text cannot hold NUL: a path or query value carrying one would fail deep in a
 * query with a 500. Refused here, for every route, before routing and authentication.
 */
export function refuseNulInUrl(req: Request, res: Response, next: NextFunction): void {
  if (!req.originalUrl.includes(ENCODED_NUL)) return next();
  sendProblem(req, res, 400, 'invalid_characters', 'The request URL contains a NUL character (%00).');
}
