import { ExpiringStore, SimClock } from '@app/simulator-kit';
import type { FlussonicCounters, FlussonicUserConfig } from './flussonic-simulator.options';

export interface AutologinGrant {
  login: string;
  /** Session length asked for at generation time, seconds. */
  lifetime?: number;
}

export interface FlussonicSettings {
  apiKey: string;
  windowSeconds: number;
  unknownUserStatus: 403 | 404;
  singleUseTokens: boolean;
  defaultValidTillSeconds: number;
}

/** Everything the Flussonic handlers share; one per simulator instance. */
export interface FlussonicContext {
  settings: FlussonicSettings;
  users: Map<string, FlussonicUserConfig>;
  clock: SimClock;
  counters: FlussonicCounters;
  /** Random per start: the server secret inside the autologin token's SHA-1. */
  tokenSecret: string;
  autologinTokens: ExpiringStore<AutologinGrant>;
  /** Session id → login. */
  sessions: ExpiringStore<string>;
}

export function activeUser(ctx: FlussonicContext, login: string): FlussonicUserConfig | undefined {
  const user = ctx.users.get(login);
  return user && user.enabled !== false ? user : undefined;
}
