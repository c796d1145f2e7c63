import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseCookies, sendConsolePage } from '@app/simulator-kit';
import type { AcronisContext } from './acronis-context';
import { ACRONIS_SESSION_COOKIE } from './ott-login.handler';

/**
 * `GET /mc/` and `GET /bc/`: the consoles a targetURI usually names (docs/providers/acronis.md#external-login-url).
 * The simulator shows the user of the session that `POST /api/2/idp/ott/login` opened, 401 without one.
 */
export function consolePage(ctx: AcronisContext, req: IncomingMessage, res: ServerResponse, section: string): void {
  const sessionId = parseCookies(req).get(ACRONIS_SESSION_COOKIE);
  const userId = sessionId === undefined ? undefined : ctx.sessions.get(sessionId, ctx.clock.now());
  const user = userId === undefined ? undefined : ctx.directory.userById(userId);
  sendConsolePage(res, {
    product: 'Acronis Cyber Protect Cloud (simulated)',
    section,
    login: user && user.enabled !== false ? user.login : undefined,
  });
}
