import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendText } from '@app/simulator-kit';
import type { AcronisContext } from './acronis-context';
import { sendErrorScheme } from './acronis-errors';
import { EXTERNAL_LOGIN_HTML } from './external-login.page';
import { openSession, redeemOtt } from './ott-login.handler';

/** `GET /api/2/idp/external-login`: the landing page; the OTT never reaches the server in the fragment form. */
export function externalLoginPage(_req: IncomingMessage, res: ServerResponse): void {
  sendText(res, 200, EXTERNAL_LOGIN_HTML, 'text/html; charset=utf-8', { 'Cache-Control': 'no-store' });
}

/**
 * `GET /api/2/idp/external-login/_sim?ott=&targetURI=`: simulator-only hook doing what the page's
 * script does, for tests without a JS engine: 302 to targetURI with the session cookie, or 401.
 */
export function externalLoginWithoutScript(
  ctx: AcronisContext,
  _req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): void {
  const ott = url.searchParams.get('ott');
  const target = url.searchParams.get('targetURI');
  if (!ott || !target) return sendErrorScheme(res, 400, 'Query parameters "ott" and "targetURI" are required.');
  const user = redeemOtt(ctx, ott);
  if (!user) return sendErrorScheme(res, 401, 'The one-time token is invalid, expired or already used.');
  res.writeHead(302, { Location: target, 'Set-Cookie': openSession(ctx, user), 'Cache-Control': 'no-store' });
  res.end();
}
