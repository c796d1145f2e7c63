import { randomBytes } from 'node:crypto';
import { ExpiringStore, FaultController, SimClock, startSimServer } from '@app/simulator-kit';
import type { AutologinGrant, FlussonicContext } from './flussonic-context';
import { flussonicResponder } from './flussonic-errors';
import { flussonicRouter } from './flussonic-routes';
import {
  FLUSSONIC_DEFAULTS,
  FlussonicCounters,
  FlussonicSimulatorOptions,
  FlussonicUserConfig,
} from './flussonic-simulator.options';

export interface FlussonicSimulator {
  url: string;
  port: number;
  /** Live counters, also served at `GET /_sim/counters`. */
  counters: FlussonicCounters;
  faults: FaultController;
  advanceClock(ms: number): void;
  now(): number;
  /** Adds or replaces a user (matched by login). */
  addUser(user: FlussonicUserConfig): void;
  close(): Promise<void>;
}

export async function startFlussonicSimulator(options: FlussonicSimulatorOptions): Promise<FlussonicSimulator> {
  if (!options.apiKey) throw new Error('startFlussonicSimulator needs an apiKey');
  const clock = new SimClock(options.now);
  const counters: FlussonicCounters = {
    autologinTokensMinted: 0,
    autologinTokensConsumed: 0,
    requestsByPath: {},
    faultsApplied: 0,
  };
  const faults = new FaultController();
  const ctx: FlussonicContext = {
    settings: {
      apiKey: options.apiKey,
      windowSeconds: options.windowSeconds ?? FLUSSONIC_DEFAULTS.windowSeconds,
      unknownUserStatus: options.unknownUserStatus ?? FLUSSONIC_DEFAULTS.unknownUserStatus,
      singleUseTokens: options.singleUseTokens ?? FLUSSONIC_DEFAULTS.singleUseTokens,
      defaultValidTillSeconds: options.defaultValidTillSeconds ?? FLUSSONIC_DEFAULTS.defaultValidTillSeconds,
    },
    users: new Map((options.users ?? []).map((user) => [user.login, { ...user }])),
    clock,
    counters,
    tokenSecret: randomBytes(32).toString('hex'),
    autologinTokens: new ExpiringStore<AutologinGrant>(),
    sessions: new ExpiringStore<string>(),
  };
  const server = await startSimServer({
    host: options.host ?? FLUSSONIC_DEFAULTS.host,
    port: options.port ?? FLUSSONIC_DEFAULTS.port,
    ...(options.tls ? { tls: options.tls } : {}),
    router: flussonicRouter(ctx),
    faults,
    counters,
    clock,
    responder: flussonicResponder,
  });
  return {
    url: server.url,
    port: server.port,
    counters,
    faults,
    advanceClock: (ms) => clock.advance(ms),
    now: () => clock.now(),
    addUser: (user) => ctx.users.set(user.login, { ...user }),
    close: () => server.close(),
  };
}
