import { plainToInstance, Transform } from 'class-transformer';
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

const SIGNING_KEY_ENTRY = String.raw`\s*v[1-9]\d{0,8}:[A-Za-z0-9+/]{43}=\s*`;
const SIGNING_KEYS_SHAPE = new RegExp(`^${SIGNING_KEY_ENTRY}(,${SIGNING_KEY_ENTRY})*$`);

const toBoolean = ({ value }: { value: unknown }) =>
  value === undefined || value === ''
    ? undefined
    : typeof value === 'string' && ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());

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

  /**
   * Ed25519 seeds that sign audit checkpoints, `v2:<base64 of 32 bytes>,v1:<…>`: the highest
   * version signs, every listed one verifies (docs/audit.md#key-handling-and-pinning). Outside
   * production, absent means a development key generated once into DATA_DIR/audit-signing.key.
   */
  @IsOptional()
  @Matches(SIGNING_KEYS_SHAPE, {
    message: 'BROKER_AUDIT_SIGNING_KEYS must be v<N>:<base64 of 32 bytes>, comma separated',
  })
  BROKER_AUDIT_SIGNING_KEYS?: string;

  /** How often each chain that moved gets a signed checkpoint, in seconds; 0 disables checkpoints. */
  @IsInt()
  @Min(0)
  @Max(86_400)
  AUDIT_CHECKPOINT_INTERVAL_SECONDS: number = 60;

  /**
   * Prefix of the checkpoint origin line (`<prefix>/<chain id>`) and the signing key's name;
   * default `<PUBLIC_BASE_URL host>/audit`. A schema-less URL: no spaces, no "+".
   */
  @IsOptional()
  @Matches(/^[^\s+/][^\s+]*[^\s+/]$|^[^\s+/]$/, {
    message: 'AUDIT_CHECKPOINT_ORIGIN must be a schema-less URL without spaces, "+" or a trailing "/"',
  })
  AUDIT_CHECKPOINT_ORIGIN?: string;

  /** The file sink: one append-only file of checkpoint notes per chain; default DATA_DIR/checkpoints. */
  @IsOptional()
  @IsString()
  AUDIT_CHECKPOINT_DIR?: string;

  /** Optional HTTP sink: every checkpoint note is POSTed here (text/plain), retried with backoff until a 2xx. */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  AUDIT_CHECKPOINT_WEBHOOK_URL?: string;

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

/** Variables production refuses to start without (each names a secret kept outside the database). */
const REQUIRED_IN_PRODUCTION = ['BROKER_MASTER_KEYS', 'BROKER_AUDIT_SIGNING_KEYS'] as const;

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
  const missing = env.NODE_ENV === 'production' ? REQUIRED_IN_PRODUCTION.filter((name) => !env[name]) : [];
  if (missing.length > 0) {
    throw new ConfigurationError(
      `invalid configuration:\n${missing.map((name) => `  ${name}: required when NODE_ENV=production`).join('\n')}`,
    );
  }
  env.PUBLIC_BASE_URL = (env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
  env.AUDIT_CHECKPOINT_ORIGIN ??= `${new URL(env.PUBLIC_BASE_URL).host}/audit`;
  return env;
}
