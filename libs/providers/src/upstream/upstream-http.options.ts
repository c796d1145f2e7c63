import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { readFileSync } from 'node:fs';
import { EgressPolicy } from '../egress/egress-policy';

export const UPSTREAM_HTTP_OPTIONS = Symbol('UPSTREAM_HTTP_OPTIONS');

export interface UpstreamHttpOptions {
  /** Total deadline per request, body included. */
  timeoutMs: number;
  /** The connect phase (DNS, TCP, TLS); capped at 80 % of timeoutMs (egress-guard.ts). */
  connectTimeoutMs: number;
  /** Consecutive upstream faults that open a connection's breaker. */
  breakerFailures: number;
  breakerCooldownMs: number;
  /** Larger answers are treated as garbage. */
  maxBodyBytes: number;
  connectionsPerOrigin: number;
  /** Where upstream requests may go (docs/architecture.md#egress-policy). */
  egress: EgressPolicy;
  /** UPSTREAM_CA_FILE: PEM certificates trusted for upstream TLS in addition to the system roots. */
  extraCaPem?: string;
}

/** Development defaults: http allowed, loopback allowed besides global unicast (the simulators). */
export const DEFAULT_UPSTREAM_HTTP_OPTIONS: UpstreamHttpOptions = {
  timeoutMs: 5000,
  connectTimeoutMs: 2000,
  breakerFailures: 5,
  breakerCooldownMs: 10000,
  maxBodyBytes: 1024 * 1024,
  connectionsPerOrigin: 64,
  egress: EgressPolicy.forEnvironment({ nodeEnv: 'development' }),
};

const logger = new Logger('Upstream');

export function upstreamHttpOptionsFromConfig(config: ConfigService): UpstreamHttpOptions {
  const read = (key: string, fallback: number): number => Number(config.get(key) ?? fallback);
  const defaults = DEFAULT_UPSTREAM_HTTP_OPTIONS;
  const nodeEnv = String(config.get('NODE_ENV') ?? 'development');
  const allowHttp = readBoolean(config.get('UPSTREAM_ALLOW_HTTP'));
  const egress = EgressPolicy.forEnvironment({
    nodeEnv,
    allowHttp,
    allowedNetworks: config.get<string>('UPSTREAM_ALLOWED_NETWORKS'),
  });
  if (nodeEnv === 'production' && allowHttp === true) {
    logger.warn(
      'UPSTREAM_ALLOW_HTTP=true: connections may use http base URLs in production, so their credentials cross the network unencrypted',
    );
  }
  logger.log(egress.describe());
  const caFile = config.get<string>('UPSTREAM_CA_FILE');
  return {
    ...defaults,
    timeoutMs: read('UPSTREAM_TIMEOUT_MS', defaults.timeoutMs),
    connectTimeoutMs: read('UPSTREAM_CONNECT_TIMEOUT_MS', defaults.connectTimeoutMs),
    breakerFailures: read('UPSTREAM_BREAKER_FAILURES', defaults.breakerFailures),
    breakerCooldownMs: read('UPSTREAM_BREAKER_COOLDOWN_MS', defaults.breakerCooldownMs),
    egress,
    ...(caFile ? { extraCaPem: readFileSync(caFile, 'utf8') } : {}),
  };
}

function readBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string' || value === '') return undefined;
  return ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}
