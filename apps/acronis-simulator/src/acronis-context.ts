import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerToken, ExpiringStore, SimClock } from '@app/simulator-kit';
import { AcronisDirectory } from './acronis-directory';
import { sendErrorScheme } from './acronis-errors';
import type { AcronisCounters } from './acronis-simulator.options';
import { JwtSigner } from './jwt-signer';

export interface TokenGrant {
  tenant_id: string;
  /** Absent for pasted static tokens. */
  client_id?: string;
}

export interface AcronisSettings {
  tokenTtlSeconds: number;
  ottTtlSeconds: number;
  unknownUserStatus: 400 | 404;
}

/** Everything the Acronis handlers share; one per simulator instance. */
export interface AcronisContext {
  settings: AcronisSettings;
  directory: AcronisDirectory;
  clock: SimClock;
  counters: AcronisCounters;
  signer: JwtSigner;
  /** Base URL, the `iss` of issued tokens; set once the server listens. */
  issuer: string;
  accessTokens: ExpiringStore<TokenGrant>;
  staticTokens: Map<string, TokenGrant>;
  /** OTT → user id. */
  otts: ExpiringStore<string>;
  /** Session id → user id. */
  sessions: ExpiringStore<string>;
}

/** Resolves the bearer token or answers 401 (errorScheme) and returns undefined. */
export function requireBearer(ctx: AcronisContext, req: IncomingMessage, res: ServerResponse): TokenGrant | undefined {
  const token = bearerToken(req);
  const grant =
    token === undefined ? undefined : (ctx.accessTokens.get(token, ctx.clock.now()) ?? ctx.staticTokens.get(token));
  const client = grant?.client_id === undefined ? undefined : ctx.directory.client(grant.client_id);
  if (!grant || (client && client.enabled === false)) {
    sendErrorScheme(res, 401, undefined, { headers: { 'WWW-Authenticate': 'Bearer' } });
    return undefined;
  }
  return grant;
}
