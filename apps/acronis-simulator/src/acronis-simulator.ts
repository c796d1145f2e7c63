import { ExpiringStore, FaultController, SimClock, startSimServer } from '@app/simulator-kit';
import type { AcronisContext, TokenGrant } from './acronis-context';
import { AcronisDirectory } from './acronis-directory';
import { acronisResponder } from './acronis-errors';
import { acronisRouter } from './acronis-routes';
import {
  ACRONIS_DEFAULTS,
  AcronisClientConfig,
  AcronisCounters,
  AcronisSimulatorOptions,
  AcronisTenantConfig,
  AcronisUserConfig,
} from './acronis-simulator.options';
import { JwtSigner } from './jwt-signer';

export interface AcronisSimulator {
  url: string;
  port: number;
  /** Live counters, also served at `GET /_sim/counters`. */
  counters: AcronisCounters;
  faults: FaultController;
  advanceClock(ms: number): void;
  now(): number;
  /** What a client-secret reset does upstream: every issued access token stops working. */
  revokeAllTokens(): void;
  addUser(user: AcronisUserConfig): void;
  addClient(client: AcronisClientConfig): void;
  addTenant(tenant: AcronisTenantConfig): void;
  close(): Promise<void>;
}

export async function startAcronisSimulator(options: AcronisSimulatorOptions = {}): Promise<AcronisSimulator> {
  const clock = new SimClock(options.now);
  const counters: AcronisCounters = {
    tokensIssued: 0,
    ottsMinted: 0,
    ottsConsumed: 0,
    requestsByPath: {},
    faultsApplied: 0,
  };
  const faults = new FaultController();
  const directory = new AcronisDirectory(options.clients ?? [], options.users ?? [], options.tenants ?? []);
  const ctx: AcronisContext = {
    settings: {
      tokenTtlSeconds: options.tokenTtlSeconds ?? ACRONIS_DEFAULTS.tokenTtlSeconds,
      ottTtlSeconds: options.ottTtlSeconds ?? ACRONIS_DEFAULTS.ottTtlSeconds,
      unknownUserStatus: options.unknownUserStatus ?? ACRONIS_DEFAULTS.unknownUserStatus,
    },
    directory,
    clock,
    counters,
    signer: await JwtSigner.create(),
    issuer: '',
    accessTokens: new ExpiringStore<TokenGrant>(),
    staticTokens: new Map((options.staticBearerTokens ?? []).map((t) => [t.token, { tenant_id: t.tenant_id }])),
    otts: new ExpiringStore<string>(),
    sessions: new ExpiringStore<string>(),
  };
  const server = await startSimServer({
    host: options.host ?? ACRONIS_DEFAULTS.host,
    port: options.port ?? ACRONIS_DEFAULTS.port,
    ...(options.tls ? { tls: options.tls } : {}),
    router: acronisRouter(ctx),
    faults,
    counters,
    clock,
    responder: acronisResponder,
  });
  ctx.issuer = server.url;
  return {
    url: server.url,
    port: server.port,
    counters,
    faults,
    advanceClock: (ms) => clock.advance(ms),
    now: () => clock.now(),
    revokeAllTokens: () => ctx.accessTokens.clear(),
    addUser: (user) => directory.addUser(user),
    addClient: (client) => directory.addClient(client),
    addTenant: (tenant) => directory.addTenant(tenant),
    close: () => server.close(),
  };
}
