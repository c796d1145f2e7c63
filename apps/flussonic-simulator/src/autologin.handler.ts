import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readBody } from '@app/simulator-kit';
import { verifyAutologinToken } from './autologin-token';
import { activeUser, FlussonicContext } from './flussonic-context';
import { sendFlussonicError } from './flussonic-errors';

// INFERRED: cookie name, landing path and the default session length are undocumented
// (docs/providers/flussonic.md#browser-login-form).
export const VSAAS_SESSION_COOKIE = 'vsaas_session';
export const WATCHER_UI_PATH = '/vsaas/';
const DEFAULT_SESSION_SECONDS = 86_400;

/** `POST /vsaas/autologin` with form field `autologin_token` (docs/providers/flussonic.md#browser-login-form). */
export async function autologin(ctx: FlussonicContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const token = new URLSearchParams(await readBody(req)).get('autologin_token');
  const now = ctx.clock.now();
  const parts = token ? verifyAutologinToken(token, ctx.tokenSecret) : undefined;
  const grant =
    token && parts && parts.validTill * 1000 > now
      ? ctx.settings.singleUseTokens
        ? ctx.autologinTokens.take(token, now)
        : ctx.autologinTokens.get(token, now)
      : undefined;
  if (!grant || !activeUser(ctx, grant.login)) return sendFlussonicError(res, 403, 'Forbidden');
  ctx.counters.autologinTokensConsumed += 1;

  const sessionId = randomBytes(24).toString('base64url');
  const seconds = grant.lifetime ?? DEFAULT_SESSION_SECONDS;
  ctx.sessions.set(sessionId, grant.login, now + seconds * 1000, now);
  const maxAge = grant.lifetime !== undefined ? `; Max-Age=${grant.lifetime}` : '';
  res.writeHead(302, {
    Location: WATCHER_UI_PATH,
    'Set-Cookie': `${VSAAS_SESSION_COOKIE}=${sessionId}; Path=/${maxAge}; HttpOnly; SameSite=Lax`,
    'Cache-Control': 'no-store',
    'Content-Length': 0,
  });
  res.end();
}
