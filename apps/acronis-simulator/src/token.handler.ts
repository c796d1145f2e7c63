import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { mediaType, readBody, sendJson } from '@app/simulator-kit';
import type { AcronisContext } from './acronis-context';
import { sendTokenError } from './acronis-errors';

interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** `POST /api/2/idp/token`, client_credentials grant only (docs/providers/acronis.md#access-token). */
export async function issueToken(ctx: AcronisContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  if (mediaType(req) !== 'application/x-www-form-urlencoded') {
    return sendTokenError(res, 400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded.');
  }
  const form = new URLSearchParams(body);
  if (form.get('grant_type') !== 'client_credentials') {
    return sendTokenError(res, 400, 'invalid_request', 'grant_type must be client_credentials.');
  }
  const credentials = basicCredentials(req) ?? postedCredentials(form);
  const client = credentials && ctx.directory.client(credentials.clientId);
  // INFERRED: the vendor's tokenError enum has no invalid_client, so bad secrets get access_denied.
  if (!credentials || !client || !secretsEqual(client.client_secret, credentials.clientSecret)) {
    return sendTokenError(res, 401, 'access_denied', 'Invalid client credentials.');
  }
  if (client.enabled === false) return sendTokenError(res, 401, 'access_denied', 'The client is disabled.');

  const now = ctx.clock.nowSeconds();
  const expiresOn = now + ctx.settings.tokenTtlSeconds;
  const base = { iss: ctx.issuer, iat: now, exp: expiresOn, sub: client.client_id };
  const accessToken = ctx.signer.sign({
    ...base,
    client_id: client.client_id,
    tenant_id: client.tenant_id,
    scope: form.get('scope') ?? undefined,
  });
  const idToken = ctx.signer.sign({ ...base, aud: client.client_id });
  ctx.accessTokens.set(
    accessToken,
    { client_id: client.client_id, tenant_id: client.tenant_id },
    expiresOn * 1000,
    ctx.clock.now(),
  );
  ctx.counters.tokensIssued += 1;
  sendJson(
    res,
    200,
    {
      access_token: accessToken,
      token_type: 'bearer',
      id_token: idToken,
      expires_in: ctx.settings.tokenTtlSeconds,
      expires_on: expiresOn,
    },
    { 'Cache-Control': 'no-store' },
  );
}

function basicCredentials(req: IncomingMessage): ClientCredentials | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { clientId: decoded.slice(0, colon), clientSecret: decoded.slice(colon + 1) };
}

/** `client_secret_post`: the credentials as form fields (docs/providers/acronis.md#access-token). */
function postedCredentials(form: URLSearchParams): ClientCredentials | undefined {
  const clientId = form.get('client_id');
  const clientSecret = form.get('client_secret');
  return clientId !== null && clientSecret !== null ? { clientId, clientSecret } : undefined;
}

function secretsEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
