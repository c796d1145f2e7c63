import type { SimTlsOptions } from '@app/simulator-kit';
export interface AcronisClientConfig {
  client_id: string;
  client_secret: string;
  tenant_id: string;
  enabled?: boolean;
}

export interface AcronisUserConfig {
  id: string;
  login: string;
  external_id?: string;
  tenant_id: string;
  enabled?: boolean;
  /** Off means the user's tenant has "Support access" disabled: OTTs for the user are refused. */
  support_access?: boolean;
}

export interface AcronisTenantConfig {
  id: string;
  parent_id?: string;
}

export interface StaticBearerToken {
  token: string;
  tenant_id: string;
}

export interface AcronisSimulatorOptions {
  port?: number;
  host?: string;
  /** Serve https with this certificate and key (PEM) instead of http. */
  tls?: SimTlsOptions;
  clients?: AcronisClientConfig[];
  users?: AcronisUserConfig[];
  tenants?: AcronisTenantConfig[];
  /** Bearer tokens an operator may paste instead of client credentials; they never expire. */
  staticBearerTokens?: StaticBearerToken[];
  tokenTtlSeconds?: number;
  ottTtlSeconds?: number;
  /** Status for an unknown or disabled OTT target; undocumented (docs/providers/acronis.md#ott-errors). */
  unknownUserStatus?: 400 | 404;
  now?: () => number;
}

export interface AcronisCounters {
  tokensIssued: number;
  ottsMinted: number;
  ottsConsumed: number;
  requestsByPath: Record<string, number>;
  faultsApplied: number;
}

export const ACRONIS_DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  tokenTtlSeconds: 7200,
  ottTtlSeconds: 30,
  unknownUserStatus: 404,
} as const;
