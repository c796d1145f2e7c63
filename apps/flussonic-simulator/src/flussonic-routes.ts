import { SimRouter } from '@app/simulator-kit';
import { autologin } from './autologin.handler';
import type { FlussonicContext } from './flussonic-context';
import { generateWithAdminToken, generateWithSystemKey } from './generate-token.handler';
import { listUsers, watcherHome, whoami } from './session.handlers';

export function flussonicRouter(ctx: FlussonicContext): SimRouter {
  return new SimRouter()
    .on('POST', '/vsaas/api/generate-autologin-token', (req, res) => generateWithAdminToken(ctx, req, res))
    .on('POST', '/vsaas/api/v2/auth/generate-autologin-token', (req, res) => generateWithSystemKey(ctx, req, res))
    .on('POST', '/vsaas/autologin', (req, res) => autologin(ctx, req, res))
    .on('GET', '/vsaas/api/v2/auth/whoami', (req, res) => whoami(ctx, req, res))
    .on('GET', '/vsaas/api/v2/users', (req, res, url) => listUsers(ctx, req, res, url))
    .on('GET', '/vsaas/', (req, res) => watcherHome(ctx, req, res));
}
