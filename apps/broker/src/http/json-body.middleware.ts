import type { NextFunction, Request, Response } from 'express';
import { problem, PROBLEM_CONTENT_TYPE } from './problem';

/**
 * A body in any other type than JSON is refused with 415 instead of being silently ignored
 * (the JSON parser skips other types, which would turn a typo into "field missing").
 */
export function requireJsonBodies(req: Request, res: Response, next: NextFunction): void {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody || req.is(['application/json', 'application/*+json'])) return next();
  const body = problem(415, 'unsupported_media_type', 'The request body must be application/json.', String((req as { id?: unknown }).id ?? ''));
  res.status(415).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}
