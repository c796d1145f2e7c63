import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mediaType, parseJson, readBody, sendJson } from '@app/simulator-kit';
import { AcronisContext, requireBearer } from './acronis-context';
import { sendErrorScheme } from './acronis-errors';
import { parseOttRequest } from './ott-request';

// Both vendor samples decode to 31 bytes: the "OTT\x01" magic and 27 opaque bytes
// (docs/providers/acronis.md#test-vectors).
const OTT_MAGIC = Buffer.from('OTT\x01', 'latin1');
const OTT_RANDOM_BYTES = 27;

/** `POST /api/2/idp/ott` (docs/providers/acronis.md#one-time-token-ott). */
export async function mintOtt(ctx: AcronisContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const grant = requireBearer(ctx, req, res);
  if (!grant) return;
  if (mediaType(req) !== 'application/json') return sendErrorScheme(res, 415, 'Content-Type must be application/json.');
  const request = parseOttRequest(parseJson(body));
  if ('problem' in request) return sendErrorScheme(res, 400, request.problem);

  const user = ctx.directory.findUser(request.selector);
  if (!user || user.enabled === false) {
    return sendErrorScheme(res, ctx.settings.unknownUserStatus, 'User not found.', { context: request.selector });
  }
  if (!ctx.directory.inSubtree(user.tenant_id, grant.tenant_id)) {
    return sendErrorScheme(res, 403, 'The user is outside the tenant of the access token.', { code: 1002 });
  }
  if (user.support_access === false) {
    return sendErrorScheme(res, 403, "Support access is disabled for the user's tenant.", { code: 1002 });
  }
  const ott = Buffer.concat([OTT_MAGIC, randomBytes(OTT_RANDOM_BYTES)]).toString('base64url');
  const padded = ott.padEnd(Math.ceil(ott.length / 4) * 4, '=');
  const now = ctx.clock.now();
  ctx.otts.set(padded, user.id, now + ctx.settings.ottTtlSeconds * 1000, now);
  ctx.counters.ottsMinted += 1;
  sendJson(res, 200, { ott: padded }, { 'Cache-Control': 'no-store' });
}
