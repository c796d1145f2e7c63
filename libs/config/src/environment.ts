import { plainToInstance, Transform } from 'class-transformer';
import ipaddr from 'ipaddr.js';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  getMetadataStorage,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  validateSync,
} from 'class-validator';

/**
 * Reads the raw variable (`obj[key]`), not `value`: with enableImplicitConversion, class-transformer
 * has already turned the string into Boolean(string) by then, so "false" arrived as true and, in
 * this function, every set value came out false (RUN_MIGRATIONS=true disabled migrations).
 */
const toBoolean = ({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
  const raw = obj[key];
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw === 'boolean') return raw;
  return typeof raw === 'string' && ['1', 'true', 'yes', 'on'].includes(raw.toLowerCase());
};

/**
 * Every environment variable the broker reads, validated once at start. A bad value stops
 * the process with a message naming the variable (never its value: some are secrets).
 */
export class Environment {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3000;

  @IsString()
  HOST: string = '0.0.0.0';

  /** Absolute URL portals and browsers reach the broker at; launch links are built on it. */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  PUBLIC_BASE_URL?: string;

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  /** Owner role used only to run migrations; the app itself connects with DATABASE_URL. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_MIGRATION_URL must be a postgres:// URL' })
  DATABASE_MIGRATION_URL?: string;

  @IsInt()
  @Min(1)
  @Max(500)
  DATABASE_POOL_SIZE: number = 20;

  @Transform(toBoolean)
  @IsBoolean()
  RUN_MIGRATIONS: boolean = true;

  @IsString()
  DATA_DIR: string = './.data';

  @IsOptional()
  @IsString()
  BROKER_MASTER_KEYS?: string;

  @IsOptional()
  @IsString()
  BROKER_BOOTSTRAP_ADMIN_KEY?: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  /** Express "trust proxy": set it when a load balancer sets X-Forwarded-For, so audit IPs are the client's. */
  @IsOptional()
  @IsString()
  TRUST_PROXY?: string;

  @IsInt()
  @Min(100)
  @Max(120_000)
  UPSTREAM_TIMEOUT_MS: number = 5000;

  @IsInt()
  @Min(50)
  @Max(60_000)
  UPSTREAM_CONNECT_TIMEOUT_MS: number = 2000;

  @IsInt()
  @Min(1)
  @Max(1000)
  UPSTREAM_BREAKER_FAILURES: number = 5;

  @IsInt()
  @Min(100)
  @Max(600_000)
  UPSTREAM_BREAKER_COOLDOWN_MS: number = 10_000;

  /**
   * Whether connections may use http base URLs. Unset: yes outside production, no in production
   * (docs/architecture.md#egress-policy); true in production is warned about at start.
   */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  UPSTREAM_ALLOW_HTTP?: boolean;

  /** A PEM bundle of CA certificates trusted for upstream TLS besides the system roots (private CAs). */
  @IsOptional()
  @IsString()
  UPSTREAM_CA_FILE?: string;

  /**
   * Comma list of CIDR networks upstream connections may reach although they are not global
   * unicast (e.g. a Flussonic Watcher on the MSP's LAN: 10.20.0.0/16). Outside production,
   * loopback is allowed in addition.
   */
  @IsOptional()
  @IsString()
  UPSTREAM_ALLOWED_NETWORKS?: string;

  /** Default lifetime of a launch link (/l/{opaque}) when the request names no expires_in. */
  @IsInt()
  @Min(30)
  @Max(86_400)
  LAUNCH_LINK_TTL_SECONDS: number = 300;

  /**
   * How long a login link's record is kept after it expires, then purged: until then a late
   * redemption attempt is still reported as expired or used, in its tenant's audit chain.
   * (The audit events themselves are never purged by this.)
   */
  @IsInt()
  @Min(0)
  @Max(8760)
  LINK_RECORD_RETENTION_HOURS: number = 168;

  /** How often each instance purges expired link records and Idempotency-Key replays; 0 disables. */
  @IsInt()
  @Min(0)
  @Max(86_400)
  LINK_PURGE_INTERVAL_SECONDS: number = 300;

  /** Requests per minute per API key, shared by every instance (rate_limit_buckets). */
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  RATE_LIMIT_PER_KEY_PER_MINUTE: number = 1200;

  /** Requests per minute per tenant, unless the tenant's own rate_limit_per_minute is set. */
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  RATE_LIMIT_PER_TENANT_PER_MINUTE: number = 3000;

  /** Requests per minute per client IP on routes called without an API key (/l/:opaque). */
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  RATE_LIMIT_PER_IP_PER_MINUTE: number = 300;

  /**
   * On SIGTERM, readiness turns 503 at once but the instance keeps serving this long before it
   * stops accepting connections, so that a balancer polling readiness routes elsewhere first.
   */
  @IsInt()
  @Min(0)
  @Max(120_000)
  SHUTDOWN_GRACE_MS: number = 0;

  /** How long an instance may keep trusting a looked-up API key while its revocation listener is down (revocations otherwise arrive at once); 0 disables the cache. */
  @IsInt()
  @Min(0)
  @Max(60_000)
  API_KEY_CACHE_TTL_MS: number = 1000;
}

export class ConfigurationError extends Error {}

export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const known = new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(Environment, '', true, false)
      .map((m) => m.propertyName),
  );
  // Only the broker's own variables: the rest of the process environment never enters its config.
  const cleaned = Object.fromEntries(Object.entries(raw).filter(([k, v]) => known.has(k) && v !== ''));
  const env = plainToInstance(Environment, cleaned, { enableImplicitConversion: true, exposeDefaultValues: true });
  const errors = validateSync(env, { whitelist: false, forbidUnknownValues: true });
  if (errors.length > 0) {
    const lines = errors.map((e) => `  ${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`);
    throw new ConfigurationError(`invalid configuration:\n${lines.join('\n')}`);
  }
  if (env.NODE_ENV === 'production' && !env.BROKER_MASTER_KEYS) {
    throw new ConfigurationError('invalid configuration:\n  BROKER_MASTER_KEYS: required when NODE_ENV=production');
  }
  const upstreamProblems = [
    ...networkProblems(env.UPSTREAM_ALLOWED_NETWORKS),
    ...(env.UPSTREAM_CA_FILE === undefined ? [] : caFileProblems(env.UPSTREAM_CA_FILE)),
  ];
  if (upstreamProblems.length > 0) {
    throw new ConfigurationError(`invalid configuration:\n${upstreamProblems.map((line) => `  ${line}`).join('\n')}`);
  }
  env.PUBLIC_BASE_URL = (env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
  return env;
}

/** Each entry must be a CIDR network; the entry is named (a network is not a secret). */
function networkProblems(list: string | undefined): string[] {
  return (list ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .flatMap((entry) => {
      try {
        ipaddr.parseCIDR(entry);
        return [];
      } catch {
        return [`UPSTREAM_ALLOWED_NETWORKS: "${entry}" is not a CIDR network (e.g. 10.20.0.0/16 or fd00::/8)`];
      }
    });
}

/** The file must be readable and hold at least one PEM certificate, each of which must parse. */
function caFileProblems(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return ['UPSTREAM_CA_FILE: the file cannot be read'];
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return ['UPSTREAM_CA_FILE: the file holds no PEM certificate'];
  try {
    blocks.forEach((block) => new X509Certificate(block));
    return [];
  } catch {
    return ['UPSTREAM_CA_FILE: a certificate in the file cannot be parsed'];
  }
}
