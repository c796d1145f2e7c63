import { isIP } from 'node:net';
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

const SIGNING_KEY_ENTRY = String.raw`\s*v[1-9]\d{0,8}:[A-Za-z0-9+/]{43}=\s*`;
const SIGNING_KEYS_SHAPE = new RegExp(`^${SIGNING_KEY_ENTRY}(,${SIGNING_KEY_ENTRY})*$`);

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

  /**
   * Password of DATABASE_URL's login, when the URL carries none. The broker percent-encodes it into
   * the URL, so any character works (a container orchestrator cannot URL-encode while interpolating).
   */
  @IsOptional()
  @IsString()
  DATABASE_PASSWORD?: string;

  /** Password of DATABASE_MIGRATION_URL's login, when that URL carries none. */
  @IsOptional()
  @IsString()
  DATABASE_MIGRATION_PASSWORD?: string;

  /**
   * Connections per instance. Every link appends to its tenant's audit chain under that chain's
   * row lock, so connections beyond what PostgreSQL's cores and the busy chains can use only queue
   * on the lock: 10 against 20 on a 2-core server, same run, PostgreSQL CPU per link 0.86–0.94×
   * and the event-loop delay p99 halved, throughput unchanged (docs/performance.md#sixth-pass).
   */
  @IsInt()
  @Min(1)
  @Max(500)
  DATABASE_POOL_SIZE: number = 10;

  /**
   * Connections per instance for audit exports and chain verifications, beside
   * DATABASE_POOL_SIZE: each holds one for as long as its data lasts, so they never take the
   * connections links need. One more waits up to 5 s, then gets 503 audit_reads_busy
   * (docs/architecture.md#long-reads).
   */
  @IsInt()
  @Min(1)
  @Max(50)
  DATABASE_LONG_READ_POOL_SIZE: number = 2;

  /**
   * How far V8 lets the old generation grow past the live heap before its next full collection,
   * in percent; 0 leaves V8's own heuristic (up to 4×, which took RSS under load to ~240 MB).
   * See docs/performance.md#memory-under-load.
   */
  @IsInt()
  @Min(0)
  @Max(300)
  HEAP_GROWING_PERCENT: number = 50;

  /**
   * V8's allocation-site pretenuring (its default: on). Off, objects are always born in the young
   * generation: with it on, V8 moved request-scoped allocation sites straight to the old generation
   * (a request often outlives one scavenge), where they died and waited for full collections. Off,
   * on Node 20 and 22: GC pause time per second −38% and −40%, broker CPU per link −15%; Node 24
   * unchanged (docs/performance.md#pretenuring).
   */
  @Transform(toBoolean)
  @IsBoolean()
  V8_ALLOCATION_SITE_PRETENURING: boolean = false;

  /**
   * With DATABASE_URL: how long the first connection (and the migrations) is retried, with
   * backoff, while PostgreSQL does not accept connections yet; then start-up fails (exit 1).
   * 0 makes a single attempt.
   */
  @IsInt()
  @Min(0)
  @Max(3600)
  DATABASE_CONNECT_RETRY_SECONDS: number = 30;

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

  /** `auto`: readable lines when stdout is a terminal, JSON lines otherwise; or force `json` / `pretty`. */
  @IsIn(['auto', 'json', 'pretty'])
  LOG_FORMAT: 'auto' | 'json' | 'pretty' = 'auto';

  /**
   * Which proxies' X-Forwarded-For to trust (Fastify `trustProxy`): a hop count, or a
   * comma-separated list of addresses/CIDRs (or `loopback`, `linklocal`, `uniquelocal`). Set it
   * behind a load balancer, so audit IPs and the per-IP rate limits see the client's address.
   * `true` trusts any X-Forwarded-For, so any client could choose its audited IP: refused in production.
   */
  @IsOptional()
  @IsString()
  TRUST_PROXY?: string;

  /** A client must send the request headers within this many ms (slow-header attacks), or the connection is closed. */
  @IsInt()
  @Min(1000)
  @Max(600_000)
  HTTP_HEADERS_TIMEOUT_MS: number = 15_000;

  /** A client must send the whole request (headers and body) within this many ms, else 408; at least HTTP_HEADERS_TIMEOUT_MS. */
  @IsInt()
  @Min(1000)
  @Max(600_000)
  HTTP_REQUEST_TIMEOUT_MS: number = 30_000;

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

  /** Failed key lookups (unknown or revoked key) per minute per client IP before it gets 429 without a lookup. */
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  RATE_LIMIT_AUTH_FAILURES_PER_IP_PER_MINUTE: number = 30;

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

  /** A web console session ends after this many minutes without a request (docs/architecture.md#console-sessions). */
  @IsInt()
  @Min(1)
  @Max(1440)
  CONSOLE_SESSION_IDLE_MINUTES: number = 30;

  /** A web console session ends this many hours after sign-in, however active it is. */
  @IsInt()
  @Min(1)
  @Max(168)
  CONSOLE_SESSION_MAX_HOURS: number = 12;
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
  if (env.HTTP_HEADERS_TIMEOUT_MS > env.HTTP_REQUEST_TIMEOUT_MS) {
    throw new ConfigurationError(
      'invalid configuration:\n  HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS',
    );
  }
  if (env.TRUST_PROXY !== undefined && !isTrustProxy(env.TRUST_PROXY)) {
    throw new ConfigurationError(
      'invalid configuration:\n  TRUST_PROXY: must be false, true, a hop count, or a comma-separated list of IP addresses/CIDRs',
    );
  }
  if (env.NODE_ENV === 'production' && env.TRUST_PROXY === 'true') {
    throw new ConfigurationError(
      'invalid configuration:\n  TRUST_PROXY: true trusts any X-Forwarded-For (any client could choose its audited IP and ' +
        "dodge the per-IP limits); set the hop count or the proxies' addresses/CIDRs",
    );
  }
  const missing = env.NODE_ENV === 'production' ? REQUIRED_IN_PRODUCTION.filter((name) => !env[name]) : [];
  if (missing.length > 0) {
    throw new ConfigurationError(
      `invalid configuration:\n${missing.map((name) => `  ${name}: required when NODE_ENV=production`).join('\n')}`,
    );
  }
  checkDatabaseUrl(env.DATABASE_URL, 'DATABASE_URL', 'DATABASE_PASSWORD');
  checkDatabaseUrl(env.DATABASE_MIGRATION_URL, 'DATABASE_MIGRATION_URL', 'DATABASE_MIGRATION_PASSWORD');
  env.DATABASE_URL = withPassword(env.DATABASE_URL, env.DATABASE_PASSWORD, 'DATABASE_URL', 'DATABASE_PASSWORD');
  env.DATABASE_MIGRATION_URL = withPassword(
    env.DATABASE_MIGRATION_URL,
    env.DATABASE_MIGRATION_PASSWORD,
    'DATABASE_MIGRATION_URL',
    'DATABASE_MIGRATION_PASSWORD',
  );
  const upstreamProblems = [
    ...networkProblems(env.UPSTREAM_ALLOWED_NETWORKS),
    ...(env.UPSTREAM_CA_FILE === undefined ? [] : caFileProblems(env.UPSTREAM_CA_FILE)),
  ];
  if (upstreamProblems.length > 0) {
    throw new ConfigurationError(`invalid configuration:\n${upstreamProblems.map((line) => `  ${line}`).join('\n')}`);
  }
  env.PUBLIC_BASE_URL = (env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
  env.AUDIT_CHECKPOINT_ORIGIN ??= `${new URL(env.PUBLIC_BASE_URL).host}/audit`;
  return env;
}

/**
 * A password with `@`, `/`, `:`, `%` or `'` pasted into a URL unencoded makes another URL: a
 * wrong host, port or login (and a piece of the password in every error that names them). Caught
 * here, by shape, with a message that never repeats the value.
 */
function checkDatabaseUrl(url: string | undefined, urlName: string, passwordName: string): void {
  if (url === undefined) return;
  const hint = `percent-encode the password in the URL (@ → %40, / → %2F, % → %25, : → %3A), or give it in ${passwordName}`;
  const invalid = (what: string) => new ConfigurationError(`invalid configuration:\n  ${urlName}: ${what}; ${hint}`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid('not a valid URL');
  }
  if ((url.split('?')[0].match(/@/g) ?? []).length > 1) throw invalid('more than one @ before the host');
  try {
    decodeURIComponent(parsed.password);
    decodeURIComponent(parsed.username);
  } catch {
    throw invalid('a % in the login or password is not followed by two hexadecimal digits');
  }
}

/**
 * Puts a password given on its own into a postgres:// URL, percent-encoded (so `@`, `/`, `%`, `:`
 * or `'` in it are safe). The URL must then carry no password of its own: two would be ambiguous.
 */
function withPassword(
  url: string | undefined,
  password: string | undefined,
  urlName: string,
  passwordName: string,
): string | undefined {
  if (password === undefined) return url;
  const problem = (message: string) => new ConfigurationError(`invalid configuration:\n  ${passwordName}: ${message}`);
  if (url === undefined) throw problem(`set ${urlName} too (the password is for its login)`);
  const parsed = new URL(url); // checked by checkDatabaseUrl
  if (parsed.password !== '') throw problem(`${urlName} already carries a password; give it in one place only`);
  if (parsed.username === '') throw problem(`${urlName} names no login (postgres://login@host:port/database)`);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

const PROXY_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isTrustProxy(value: string): boolean {
  if (value === 'true' || value === 'false' || /^\d{1,3}$/.test(value)) return true;
  return value.split(',').every((entry) => PROXY_KEYWORDS.has(entry.trim()) || isAddressOrCidr(entry.trim()));
}

function isAddressOrCidr(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
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
