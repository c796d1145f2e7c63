import { sendJson, SimRouter } from '@app/simulator-kit';
import { consolePage } from './console.handler';
import type { AcronisContext } from './acronis-context';
import { checkLogin, clientById, currentUser, tenantById, userById } from './directory.handlers';
import { externalLoginPage, externalLoginWithoutScript } from './external-login.handler';
import { loginWithOtt } from './ott-login.handler';
import { mintOtt } from './ott.handler';
import { issueToken } from './token.handler';

const API = '/api/2';

export function acronisRouter(ctx: AcronisContext): SimRouter {
  return new SimRouter()
    .on('POST', `${API}/idp/token`, (req, res) => issueToken(ctx, req, res))
    .on('GET', `${API}/idp/keys`, (_req, res) => sendJson(res, 200, ctx.signer.jwks()))
    .on('POST', `${API}/idp/ott`, (req, res) => mintOtt(ctx, req, res))
    .on('POST', `${API}/idp/ott/login`, (req, res) => loginWithOtt(ctx, req, res))
    .on('GET', `${API}/idp/external-login`, externalLoginPage)
    .on('GET', `${API}/idp/external-login/_sim`, (req, res, url) => externalLoginWithoutScript(ctx, req, res, url))
    .on('GET', `${API}/users/check_login`, (req, res, url) => checkLogin(ctx, req, res, url))
    .on('GET', `${API}/users/me`, (req, res) => currentUser(ctx, req, res))
    .on('GET', `${API}/users/{user_id}`, (req, res, url, params) => userById(ctx, req, res, url, params))
    .on('GET', `${API}/clients/{client_id}`, (req, res, url, params) => clientById(ctx, req, res, url, params))
    .on('GET', `${API}/tenants/{tenant_id}`, (req, res, url, params) => tenantById(ctx, req, res, url, params))
    .on('GET', '/mc/', (req, res) => consolePage(ctx, req, res, 'Management console'))
    .on('GET', '/bc/', (req, res) => consolePage(ctx, req, res, 'Backup console'));
}
