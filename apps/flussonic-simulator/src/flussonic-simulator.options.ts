import type { SimTlsOptions } from '@app/simulator-kit';
export interface FlussonicUserConfig {
  login: string;
  enabled?: boolean;
  is_admin?: boolean;
}

export interface FlussonicSimulatorOptions {
  port?: number;
  host?: string;
  /** Serve https with this certificate and key (PEM) instead of http. */
  tls?: SimTlsOptions;
  /** The system API key from Watcher's settings page. */
  apiKey: string;
  users?: FlussonicUserConfig[];
  /** Allowed |now - utc| of a legacy admin token; none published (docs/providers/flussonic.md#admin-token). */
  windowSeconds?: number;
  /** Status for an unknown or disabled login; undocumented (docs/providers/flussonic.md#error-statuses). */
  unknownUserStatus?: 403 | 404;
  /** Whether /vsaas/autologin consumes the token (docs/providers/flussonic.md#token-lifetimes-and-reuse). */
  singleUseTokens?: boolean;
  /** `valid_till` when the request omits it, as seconds from now. */
  defaultValidTillSeconds?: number;
  now?: () => number;
}

export interface FlussonicCounters {
  autologinTokensMinted: number;
  autologinTokensConsumed: number;
  requestsByPath: Record<string, number>;
  faultsApplied: number;
}

export const FLUSSONIC_DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  windowSeconds: 300,
  unknownUserStatus: 404,
  singleUseTokens: true,
  defaultValidTillSeconds: 300,
} as const;
