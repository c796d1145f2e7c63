import type { NextFunction, Request, Response } from 'express';
import { sendProblem } from './problem';

/**
 * A body in any other type than JSON is refused with 415 instead of being silently ignored
 * (the JSON parser skips other types, which would turn a typo into "field missing").
 */
export function requireJsonBodies(req: Request, res: Response, next: NextFunction): void {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody || req.is(['application/json', 'application/*+json'])) return next();
  sendProblem(req, res, 415, 'unsupported_media_type', 'The request body must be application/json.');
}
