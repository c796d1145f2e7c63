import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseCookies, sendConsolePage, sendJson } from '@app/simulator-kit';
import { VSAAS_SESSION_COOKIE } from './autologin.handler';
import { activeUser, FlussonicContext } from './flussonic-context';
import type { FlussonicUserConfig } from './flussonic-simulator.options';
import { sendFlussonicError } from './flussonic-errors';
import { hasSystemKey } from './system-key';

/**
 * The session's user, from the cookie set by autologin or the `X-Vsaas-Session` header
 * (docs/providers/flussonic.md#sessions-and-user-lookups).
 */
function sessionUser(ctx: FlussonicContext, req: IncomingMessage): FlussonicUserConfig | undefined {
  const header = req.headers['x-vsaas-session'];
  const sessionId = typeof header === 'string' ? header : parseCookies(req).get(VSAAS_SESSION_COOKIE);
  const login = sessionId === undefined ? undefined : ctx.sessions.get(sessionId, ctx.clock.now());
  return login === undefined ? undefined : activeUser(ctx, login);
}

/** `GET /vsaas/api/v2/auth/whoami`. */
export function whoami(ctx: FlussonicContext, req: IncomingMessage, res: ServerResponse): void {
  const user = sessionUser(ctx, req);
  if (!user) return sendFlussonicError(res, 403, 'Forbidden');
  sendJson(res, 200, { login: user.login, is_admin: user.is_admin === true });
}

/** `GET /vsaas/` : the landing page after autologin (the session's user), 401 without a session. */
export function watcherHome(ctx: FlussonicContext, req: IncomingMessage, res: ServerResponse): void {
  sendConsolePage(res, {
    product: 'Flussonic Watcher (simulated)',
    section: 'Watcher',
    login: sessionUser(ctx, req)?.login,
  });
}

/**
 * `GET /vsaas/api/v2/users?search=&limit=&offset=` with the system key
 * (docs/providers/flussonic.md#sessions-and-user-lookups).
 */
export function listUsers(ctx: FlussonicContext, req: IncomingMessage, res: ServerResponse, url: URL): void {
  if (!hasSystemKey(req, ctx.settings.apiKey)) return sendFlussonicError(res, 403, 'WrongApikey');
  const search = url.searchParams.get('search') ?? '';
  const offset = Number(url.searchParams.get('offset') ?? req.headers['x-page-offset'] ?? 0) || 0;
  const limit = Number(url.searchParams.get('limit') ?? req.headers['x-page-limit'] ?? 100) || 100;
  const users = [...ctx.users.values()].filter((user) => user.login.includes(search));
  const page = users.slice(offset, offset + limit).map((user) => ({
    id: user.login,
    login: user.login,
    enabled: user.enabled !== false,
    is_admin: user.is_admin === true,
    external_id: null,
    notification_email: user.login.includes('@') ? user.login : null,
  }));
  sendJson(res, 200, page, { 'X-Total-Count': String(users.length) });
}
