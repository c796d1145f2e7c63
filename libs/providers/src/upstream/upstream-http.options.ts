import { ConfigService } from '@nestjs/config';

export const UPSTREAM_HTTP_OPTIONS = Symbol('UPSTREAM_HTTP_OPTIONS');

export interface UpstreamHttpOptions {
  /** Total deadline per request, body included. */
  timeoutMs: number;
  connectTimeoutMs: number;
  /** Consecutive upstream faults that open a connection's breaker. */
  breakerFailures: number;
  breakerCooldownMs: number;
  /** Larger answers are treated as garbage. */
  maxBodyBytes: number;
  connectionsPerOrigin: number;
}

export const DEFAULT_UPSTREAM_HTTP_OPTIONS: UpstreamHttpOptions = {
  timeoutMs: 5000,
  connectTimeoutMs: 2000,
  breakerFailures: 5,
  breakerCooldownMs: 10000,
  maxBodyBytes: 1024 * 1024,
  connectionsPerOrigin: 64,
};

export function upstreamHttpOptionsFromConfig(config: ConfigService): UpstreamHttpOptions {
  const read = (key: string, fallback: number): number => Number(config.get(key) ?? fallback);
  const defaults = DEFAULT_UPSTREAM_HTTP_OPTIONS;
  return {
    ...defaults,
    timeoutMs: read('UPSTREAM_TIMEOUT_MS', defaults.timeoutMs),
    connectTimeoutMs: read('UPSTREAM_CONNECT_TIMEOUT_MS', defaults.connectTimeoutMs),
    breakerFailures: read('UPSTREAM_BREAKER_FAILURES', defaults.breakerFailures),
    breakerCooldownMs: read('UPSTREAM_BREAKER_COOLDOWN_MS', defaults.breakerCooldownMs),
  };
}
