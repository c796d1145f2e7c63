import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { Pool, QueryConfig } from 'pg';
import { Agent, request } from 'undici';
// The crypto alone, not @app/vault's index (which loads Nest and TypeORM for its services).
import { EnvelopeCipher, MasterKeyRing, secretOrigin } from '../../libs/vault/src/crypto';
// The broker's group-commit queue (its file imports nothing at run time: no Nest, no TypeORM).
import { AppendBatcher, type PendingAppend } from '../../libs/audit/src/store/append-batcher';
import { BenchStats } from './bench-stats';
import { APPEND_LINK_AND_EVENT_SQL, APPEND_LINKS_AND_EVENTS_SQL, RESOLVE_AND_CHARGE_SQL } from './baseline.sql';

interface ResolvedRow {
  key_id: string;
  tenant_id: string;
  over_budget: boolean;
  connection_id: string | null;
  provider: 'acronis' | 'flussonic';
  base_url: string;
  settings: { default_target_uri?: string; token_ttl?: number };
  version: number;
  aad_version: 1 | 2;
  master_key_version: string;
  wrapped_key: Buffer;
  ciphertext: Buffer;
}

interface Minted {
  method: 'GET' | 'POST';
  url: string;
  form?: { action: string; fields: Record<string, string> };
  token: string;
  expiresAt: Date;
}

interface Bearer {
  token: string;
  expiresAt: number;
}

export interface BaselineOptions {
  /** PostgreSQL connections; 10 by default (see docs/performance.md for why not more). */
  poolSize?: number;
  /** Rate-limit budgets, per minute (the bench raises them out of the way, as it does the broker's). */
  keyLimitPerMinute?: number;
  tenantLimitPerMinute?: number;
  /**
   * Group commit, as the broker does (docs/performance.md#tenth-pass): one append statement in
   * flight per tenant, the links that arrive meanwhile appended together in the next. On by
   * default; off, each link has its own append statement (the yardstick before the tenth pass).
   */
  groupCommit?: boolean;
}

const OTT_TTL_MS = 30_000;
const BEARER_REFRESH_MARGIN_MS = 60_000;
const RATE_WINDOW_MS = 60_000;
const MAX_BODY_BYTES = 64 * 1024;
const JSON_HEADERS = { 'content-type': 'application/json' };
const J = JSON.stringify;

/**
 * The benchmark's yardstick: the same work as POST /v1/login-links (direct delivery) with the
 * broker's guarantees, written by hand as leanly as a careful engineer would, on the broker's own
 * tables. Per request:
 * 1. one named statement: the portal key by its SHA-256 (looked up every time, no cache), the
 *    rate-limit charge of the key's and the tenant's buckets, the named connection and its sealed
 *    credential;
 * 2. the upstream call: Acronis OTT with a cached bearer (the credential is opened only to fetch
 *    one), or Flussonic with a fresh admin token (its API key opened once per credential version);
 * 3. one named statement appending the link record and the hash-chained audit event, committed
 *    before the 201; with group commit (the default) shared with the other links of the tenant
 *    that arrived while its previous append was in flight.
 * docs/performance.md#the-baseline-investigation says what changed from the first baseline and why.
 */
export class BaselineServer {
  private readonly pool: Pool;
  private readonly cipher: EnvelopeCipher;
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, connections: 128 });
  private readonly bearers = new Map<string, Bearer>();
  private readonly bearerFetches = new Map<string, Promise<Bearer>>();
  private readonly secrets = new Map<string, Record<string, string>>();
  private readonly keyLimit: number;
  private readonly tenantLimit: number;
  private readonly stats = new BenchStats();
  private readonly appends?: AppendBatcher<{ seq: string }>;
  private server?: Server;

  constructor(databaseUrl: string, masterKeys: string, options: BaselineOptions = {}) {
    this.pool = new Pool({ connectionString: databaseUrl, max: options.poolSize ?? 10 });
    this.cipher = new EnvelopeCipher(MasterKeyRing.parse(masterKeys));
    this.keyLimit = options.keyLimitPerMinute ?? 10_000_000;
    this.tenantLimit = options.tenantLimitPerMinute ?? 10_000_000;
    if (options.groupCommit ?? true)
      this.appends = new AppendBatcher(
        (batch) => this.appendStatement(batch),
        (error) => (error as { code?: string }).code,
      );
  }

  listen(port: number, host = '127.0.0.1'): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 65_000;
    return new Promise((resolve) => this.server!.listen(port, host, resolve));
  }

  async close(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
    await this.pool.end();
    await this.agent.close();
    this.stats.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (req.method === 'GET' && req.url === '/health/ready') return send(res, 200, '{"status":"ok"}');
      if (req.method === 'GET' && req.url === '/_bench/stats') return void res.end(this.stats.render());
      if (req.method !== 'POST' || req.url !== '/v1/login-links') return send(res, 404, '{"code":"not_found"}');
      const auth = req.headers.authorization;
      const key = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
      if (!key) return send(res, 401, '{"code":"missing_api_key"}');
      const body = JSON.parse(await readBody(req)) as { connection?: unknown; user?: { login?: unknown } };
      if (typeof body.connection !== 'string' || typeof body.user?.login !== 'string')
        return send(res, 400, '{"code":"validation_failed"}');
      const login = body.user.login;
      const keyHash = createHash('sha256').update(key, 'utf8').digest();
      const { rows } = await this.pool.query<ResolvedRow>(
        named('baseline-resolve', RESOLVE_AND_CHARGE_SQL, [
          keyHash,
          body.connection,
          RATE_WINDOW_MS,
          this.keyLimit,
          this.tenantLimit,
        ]),
      );
      const row = rows[0];
      if (!row) return send(res, 401, '{"code":"invalid_api_key"}');
      if (row.over_budget) return send(res, 429, '{"code":"rate_limited"}', { 'retry-after': '60' });
      if (row.connection_id === null) return send(res, 404, '{"code":"connection_not_found"}');
      const minted =
        row.provider === 'acronis' ? await this.mintAcronis(row, login) : await this.mintFlussonic(row, login);
      const eventId = randomUUID();
      const requestId = randomUUID();
      const linkId = randomUUID();
      const ip = req.socket.remoteAddress ?? null;
      const fingerprint = createHash('sha256').update(minted.token, 'utf8').digest('hex').slice(0, 16);
      const expiresAt = minted.expiresAt.toISOString();
      const metadata = `{"delivery":"direct","expires_at":${J(expiresAt)}}`;
      await this.append(row.tenant_id, [
        row.tenant_id,
        eventId,
        row.key_id,
        ip,
        requestId,
        row.connection_id,
        row.provider,
        login,
        linkId,
        fingerprint,
        metadata,
        `{"login":${J(login)}}`,
        expiresAt,
      ]);
      send(
        res,
        201,
        `{"id":${J(linkId)},"tenant_id":${J(row.tenant_id)},"connection_id":${J(row.connection_id)},` +
          `"provider":${J(row.provider)},"delivery":"direct","method":${J(minted.method)},"url":${J(minted.url)},` +
          `${minted.form ? `"form":${J(minted.form)},` : ''}"expires_at":${J(expiresAt)}}`,
      );
    } catch (error) {
      send(res, 502, J({ code: 'upstream_error', detail: (error as Error).message }));
    }
  }

  /** The link record and its audit event ($1..$13 of APPEND_LINK_AND_EVENT_SQL), committed. */
  private async append(tenantId: string, params: unknown[]): Promise<void> {
    if (this.appends !== undefined)
      return void (await this.appends.append(tenantId, { shape: 'link', batchable: true, params, companions: [] }));
    await this.pool.query(named('baseline-append', APPEND_LINK_AND_EVENT_SQL, params));
    this.stats.recordAppend(1);
  }

  /** One statement for a batch of one tenant's links: the single append for one. */
  private async appendStatement(batch: readonly PendingAppend[]): Promise<{ seq: string }[]> {
    this.stats.recordAppend(batch.length);
    if (batch.length === 1) {
      const { rows } = await this.pool.query<{ seq: string }>(
        named('baseline-append', APPEND_LINK_AND_EVENT_SQL, batch[0].params as unknown[]),
      );
      return rows;
    }
    const columns = batch[0].params.map((_, k) => batch.map((append) => append.params[k]));
    const { rows } = await this.pool.query<{ seq: string }>(
      named('baseline-append-batch', APPEND_LINKS_AND_EVENTS_SQL, columns),
    );
    return rows;
  }

  private credentials(row: ResolvedRow): Record<string, string> {
    const cacheKey = `${row.connection_id}:${row.version}`;
    let secret = this.secrets.get(cacheKey);
    if (!secret) {
      const plain = this.cipher.open(
        {
          aadVersion: row.aad_version,
          masterKeyVersion: row.master_key_version,
          wrappedKey: row.wrapped_key,
          ciphertext: row.ciphertext,
        },
        {
          tenantId: row.tenant_id,
          connectionId: row.connection_id!,
          secretVersion: row.version,
          origin: secretOrigin(row.base_url),
        },
      );
      secret = JSON.parse(plain.toString('utf8')) as Record<string, string>;
      // Acronis client secrets are needed only to fetch a bearer, so they are not kept in memory.
      if (row.provider === 'flussonic') this.secrets.set(cacheKey, secret);
    }
    return secret;
  }

  /** The cached bearer of this credential version, or one fetch shared by every waiting request. */
  private bearer(row: ResolvedRow): Bearer | Promise<Bearer> {
    const cacheKey = `${row.connection_id}:${row.version}`;
    const cached = this.bearers.get(cacheKey);
    if (cached && cached.expiresAt - BEARER_REFRESH_MARGIN_MS > Date.now()) return cached;
    let fetching = this.bearerFetches.get(cacheKey);
    if (!fetching) {
      fetching = (async () => {
        const creds = this.credentials(row);
        if (creds.bearer_token) return { token: creds.bearer_token, expiresAt: Number.MAX_SAFE_INTEGER };
        const basic = Buffer.from(`${creds.client_id}:${creds.client_secret}`).toString('base64');
        const answer = await this.call(`${row.base_url}/api/2/idp/token`, 'grant_type=client_credentials', {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
        });
        return { token: String(answer.access_token), expiresAt: Date.now() + Number(answer.expires_in) * 1000 };
      })();
      this.bearerFetches.set(cacheKey, fetching);
      fetching.then(
        (bearer) => (this.bearers.set(cacheKey, bearer), this.bearerFetches.delete(cacheKey)),
        () => this.bearerFetches.delete(cacheKey),
      );
    }
    return fetching;
  }

  private async mintAcronis(row: ResolvedRow, login: string): Promise<Minted> {
    const { token } = await this.bearer(row);
    const answer = await this.call(`${row.base_url}/api/2/idp/ott`, `{"purpose":"user_login","login":${J(login)}}`, {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
    });
    const ott = String(answer.ott);
    const target = row.settings.default_target_uri;
    const url = `${row.base_url}/api/2/idp/external-login#ott=${encodeURIComponent(ott)}${target ? `&targetURI=${encodeURIComponent(target)}` : ''}`;
    return { method: 'GET', url, token: ott, expiresAt: new Date(Date.now() + OTT_TTL_MS) };
  }

  private async mintFlussonic(row: ResolvedRow, login: string): Promise<Minted> {
    const { api_key: apiKey } = this.credentials(row);
    // Flussonic's legacy admin token salt:utc:md5(salt:utc:api_key), fresh per call as the broker's.
    const salt = randomBytes(8).toString('hex');
    const utc = Math.floor(Date.now() / 1000);
    const adminToken = `${salt}:${utc}:${createHash('md5').update(`${salt}:${utc}:${apiKey}`).digest('hex')}`;
    const validTill = utc + (row.settings.token_ttl ?? 60);
    const answer = await this.call(
      `${row.base_url}/vsaas/api/generate-autologin-token`,
      `{"login":${J(login)},"valid_till":${validTill}}`,
      { 'x-vsaas-api-key': adminToken, 'content-type': 'application/json' },
    );
    const token = String(answer.autologin_token);
    const action = `${row.base_url}/vsaas/autologin`;
    return {
      method: 'POST',
      url: action,
      form: { action, fields: { autologin_token: token } },
      token,
      expiresAt: new Date(validTill * 1000),
    };
  }

  private async call(url: string, body: string, headers: Record<string, string>): Promise<Record<string, unknown>> {
    const answer = await request(url, {
      method: 'POST',
      body,
      headers,
      dispatcher: this.agent,
      headersTimeout: 5000,
      bodyTimeout: 5000,
    });
    const parsed = (await answer.body.json()) as Record<string, unknown>;
    if (answer.statusCode !== 200) throw new Error(`upstream answered ${answer.statusCode}`);
    return parsed;
  }
}

/** A named statement: parsed and planned once per pooled connection, then only bound and run. */
function named(name: string, text: string, values: unknown[]): QueryConfig {
  return { name, text, values };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () =>
      resolve(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, text: string, headers?: Record<string, string>): void {
  res.writeHead(status, { ...JSON_HEADERS, ...headers, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
