import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseCookies, sendEmpty, sendJson } from '@app/simulator-kit';
import { AcronisContext, requireBearer } from './acronis-context';
import { sendErrorScheme } from './acronis-errors';
import { ACRONIS_SESSION_COOKIE } from './ott-login.handler';
import { userView } from './acronis-user.view';

/**
 * `GET /api/2/users/check_login?username=`: 204 free, 409 taken; never reveals the id
 * (docs/providers/acronis.md#user-lookups).
 */
export function checkLogin(ctx: AcronisContext, req: IncomingMessage, res: ServerResponse, url: URL): void {
  if (!requireBearer(ctx, req, res)) return;
  const username = url.searchParams.get('username');
  if (!username) return sendErrorScheme(res, 400, 'Query parameter "username" is required.');
  if (ctx.directory.loginTaken(username)) return sendErrorScheme(res, 409, 'The login is already taken.');
  sendEmpty(res, 204);
}

/** `GET /api/2/users/me` with the session cookie from ott/login. */
export function currentUser(ctx: AcronisContext, req: IncomingMessage, res: ServerResponse): void {
  const sessionId = parseCookies(req).get(ACRONIS_SESSION_COOKIE);
  const userId = sessionId === undefined ? undefined : ctx.sessions.get(sessionId, ctx.clock.now());
  const user = userId === undefined ? undefined : ctx.directory.userById(userId);
  if (!user) return sendErrorScheme(res, 401, 'No valid session.');
  sendJson(res, 200, userView(user));
}

/** `GET /api/2/users/{user_id}`: only users in the token's subtree are visible. */
export function userById(
  ctx: AcronisContext,
  req: IncomingMessage,
  res: ServerResponse,
  _url: URL,
  params: Record<string, string>,
): void {
  const grant = requireBearer(ctx, req, res);
  if (!grant) return;
  const user = ctx.directory.userById(params.user_id);
  if (!user) return sendErrorScheme(res, 404, 'User not found.');
  if (!ctx.directory.inSubtree(user.tenant_id, grant.tenant_id))
    return sendErrorScheme(res, 403, undefined, { code: 1002 });
  sendJson(res, 200, userView(user));
}

/**
 * `GET /api/2/clients/{client_id}`: how callers learn their tenant
 * (docs/providers/acronis.md#token-scope-and-secret-reset).
 */
export function clientById(
  ctx: AcronisContext,
  req: IncomingMessage,
  res: ServerResponse,
  _url: URL,
  params: Record<string, string>,
): void {
  const grant = requireBearer(ctx, req, res);
  if (!grant) return;
  const client = ctx.directory.client(params.client_id);
  if (!client) return sendErrorScheme(res, 404, 'Client not found.');
  if (!ctx.directory.inSubtree(client.tenant_id, grant.tenant_id))
    return sendErrorScheme(res, 403, undefined, { code: 1002 });
  sendJson(res, 200, {
    client_id: client.client_id,
    tenant_id: client.tenant_id,
    type: 'api_client',
    token_endpoint_auth_method: 'client_secret_basic',
    status: client.enabled === false ? 'disabled' : 'enabled',
    data: { client_name: client.client_id },
  });
}

/** `GET /api/2/tenants/{tenant_id}` for tenants in the token's subtree. */
export function tenantById(
  ctx: AcronisContext,
  req: IncomingMessage,
  res: ServerResponse,
  _url: URL,
  params: Record<string, string>,
): void {
  const grant = requireBearer(ctx, req, res);
  if (!grant) return;
  const id = params.tenant_id;
  if (!ctx.directory.tenantKnown(id)) return sendErrorScheme(res, 404, 'Tenant not found.', { code: 1005 });
  if (!ctx.directory.inSubtree(id, grant.tenant_id)) return sendErrorScheme(res, 403, undefined, { code: 1002 });
  sendJson(res, 200, { id, parent_id: ctx.directory.tenantParent(id) ?? null, enabled: true });
}
