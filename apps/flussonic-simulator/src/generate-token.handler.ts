import type { IncomingMessage, ServerResponse } from 'node:http';
import { isPlainObject, parseJson, readBody, sendJson } from '@app/simulator-kit';
import { verifyAdminToken } from './admin-token';
import { mintAutologinToken } from './autologin-token';
import { activeUser, FlussonicContext } from './flussonic-context';
import { sendFlussonicError } from './flussonic-errors';
import { hasSystemKey } from './system-key';

/** `POST /vsaas/api/generate-autologin-token`: legacy hashed admin token (docs/providers/flussonic.md#admin-token). */
export async function generateWithAdminToken(
  ctx: FlussonicContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const body = await readBody(req);
  const header = req.headers['x-vsaas-api-key'];
  const verdict =
    typeof header === 'string'
      ? verifyAdminToken(header, ctx.settings.apiKey, ctx.clock.nowSeconds(), ctx.settings.windowSeconds)
      : 'WrongApikey';
  if (verdict !== 'valid') return sendFlussonicError(res, 403, verdict);
  mint(ctx, body, res);
}

/** `POST /vsaas/api/v2/auth/generate-autologin-token`: plain system key (docs/providers/flussonic.md#v2-system-key). */
export async function generateWithSystemKey(
  ctx: FlussonicContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const body = await readBody(req);
  if (!hasSystemKey(req, ctx.settings.apiKey)) return sendFlussonicError(res, 403, 'WrongApikey');
  mint(ctx, body, res);
}

function mint(ctx: FlussonicContext, rawBody: string, res: ServerResponse): void {
  const body = parseJson(rawBody);
  if (!isPlainObject(body)) return sendFlussonicError(res, 400, 'BadRequest');
  const { login, valid_till: validTill, lifetime } = body;
  const nowSeconds = ctx.clock.nowSeconds();
  if (typeof login !== 'string' || login.length === 0) return sendFlussonicError(res, 400, 'ValidationError');
  if (validTill !== undefined && !(isPositiveInteger(validTill) && validTill > nowSeconds)) {
    return sendFlussonicError(res, 400, 'ValidationError');
  }
  if (lifetime !== undefined && !isPositiveInteger(lifetime)) return sendFlussonicError(res, 400, 'ValidationError');
  const user = activeUser(ctx, login);
  if (!user) {
    const status = ctx.settings.unknownUserStatus;
    return sendFlussonicError(res, status, status === 404 ? 'NotFound' : 'Forbidden');
  }
  const expiry = validTill ?? nowSeconds + ctx.settings.defaultValidTillSeconds;
  const token = mintAutologinToken(user.login, expiry, ctx.tokenSecret);
  ctx.autologinTokens.set(token, { login: user.login, lifetime: lifetime }, expiry * 1000, ctx.clock.now());
  ctx.counters.autologinTokensMinted += 1;
  sendJson(res, 200, { autologin_token: token, success: true }, { 'Cache-Control': 'no-store' });
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}
