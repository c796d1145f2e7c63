import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { isPlainObject, parseJson, readBody, sendJson } from '@app/simulator-kit';
import type { AcronisContext } from './acronis-context';
import type { AcronisUserConfig } from './acronis-simulator.options';
import { sendErrorScheme } from './acronis-errors';
import { userView } from './acronis-user.view';

// INFERRED: the real IdP cookie name, domain and lifetime are undocumented
// (docs/providers/acronis.md#exchanging-an-ott-for-a-session).
export const ACRONIS_SESSION_COOKIE = 'acronis_sim_session';
const SESSION_TTL_SECONDS = 7200;

/**
 * `POST /api/2/idp/ott/login`: consumes the OTT once and opens a cookie session
 * (docs/providers/acronis.md#exchanging-an-ott-for-a-session).
 */
export async function loginWithOtt(ctx: AcronisContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = parseJson(await readBody(req));
  if (!isPlainObject(body) || typeof body.ott !== 'string' || body.ott.length === 0) {
    return sendErrorScheme(res, 400, 'Field "ott" is required.');
  }
  const user = redeemOtt(ctx, body.ott);
  if (!user) return sendErrorScheme(res, 401, 'The one-time token is invalid, expired or already used.');
  sendJson(res, 200, userView(user), { 'Set-Cookie': openSession(ctx, user), 'Cache-Control': 'no-store' });
}

/** Takes the OTT out of the store (single use) and returns its enabled user. */
export function redeemOtt(ctx: AcronisContext, ott: string): AcronisUserConfig | undefined {
  const userId = ctx.otts.take(ott, ctx.clock.now());
  if (userId === undefined) return undefined;
  ctx.counters.ottsConsumed += 1;
  const user = ctx.directory.userById(userId);
  return user && user.enabled !== false ? user : undefined;
}

/** Opens a session and returns its `Set-Cookie` header value. */
export function openSession(ctx: AcronisContext, user: AcronisUserConfig): string {
  const sessionId = randomBytes(24).toString('base64url');
  const now = ctx.clock.now();
  ctx.sessions.set(sessionId, user.id, now + SESSION_TTL_SECONDS * 1000, now);
  return `${ACRONIS_SESSION_COOKIE}=${sessionId}; Path=/; Max-Age=${SESSION_TTL_SECONDS}; HttpOnly; SameSite=Lax`;
}
