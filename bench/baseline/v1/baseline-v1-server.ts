import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { Pool } from 'pg';
import { Agent, request } from 'undici';
import { EnvelopeCipher, MasterKeyRing, secretOrigin } from '@app/vault';
import { BenchStats } from '../bench-stats';
import { APPEND_LINK_AND_EVENT_SQL, RESOLVE_SQL } from './audit-append-v1.sql';

interface ResolvedRow {
  key_id: string;
  tenant_id: string;
  connection_id: string;
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

const OTT_TTL_MS = 30_000;
const BEARER_REFRESH_MARGIN_MS = 60_000;

/**
 * FROZEN: the baseline as it was before issue 15 (docs/performance.md#the-baseline-investigation),
 * kept so `npm run bench -- --a baseline-v1 --b baseline` can repeat the A/B of old and new. Only
 * `GET /_bench/stats` was added (outside the measured route). Do not optimise this file.
 *
 * The benchmark's yardstick: the same work as POST /v1/login-links (direct delivery), written by
 * hand as leanly as a careful engineer would, on the broker's own tables: one query for the key,
 * tenant, connection and sealed credential; the credential opened only when an upstream secret is
 * actually needed (bearer fetch, or the Flussonic key once per credential version); the upstream
 * call; one statement for the link record and the hash-chained audit event.
 */
export class BaselineV1Server {
  private readonly pool: Pool;
  private readonly cipher: EnvelopeCipher;
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, connections: 128 });
  private readonly bearers = new Map<string, Promise<{ token: string; expiresAt: number }>>();
  private readonly secrets = new Map<string, Record<string, string>>();
  private server?: Server;
  private readonly stats = new BenchStats();

  constructor(databaseUrl: string, masterKeys: string) {
    this.pool = new Pool({ connectionString: databaseUrl, max: 20 });
    this.cipher = new EnvelopeCipher(MasterKeyRing.parse(masterKeys));
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
      if (req.method === 'GET' && req.url === '/health/ready') return send(res, 200, { status: 'ok' });
      if (req.method === 'GET' && req.url === '/_bench/stats') return void res.end(this.stats.render());
      if (req.method !== 'POST' || req.url !== '/v1/login-links') return send(res, 404, { code: 'not_found' });
      const key = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!key) return send(res, 401, { code: 'missing_api_key' });
      const body = JSON.parse(await readBody(req)) as { connection?: unknown; user?: { login?: unknown } };
      if (typeof body.connection !== 'string' || typeof body.user?.login !== 'string')
        return send(res, 400, { code: 'validation_failed' });
      const keyHash = createHash('sha256').update(key, 'utf8').digest();
      const { rows } = await this.pool.query<ResolvedRow>(RESOLVE_SQL, [keyHash, body.connection]);
      const row = rows[0];
      if (!row) return send(res, 404, { code: 'connection_not_found' });
      const login = body.user.login;
      const minted =
        row.provider === 'acronis' ? await this.mintAcronis(row, login) : await this.mintFlussonic(row, login);
      const linkId = randomUUID();
      const fingerprint = createHash('sha256').update(minted.token, 'utf8').digest('hex').slice(0, 16);
      const expiresAt = minted.expiresAt.toISOString();
      await this.pool.query(APPEND_LINK_AND_EVENT_SQL, [
        row.tenant_id,
        randomUUID(),
        row.key_id,
        req.socket.remoteAddress ?? null,
        randomUUID(),
        row.connection_id,
        row.provider,
        login,
        linkId,
        fingerprint,
        `{"delivery":"direct","expires_at":${JSON.stringify(expiresAt)}}`,
        JSON.stringify({ login }),
        expiresAt,
      ]);
      send(res, 201, {
        id: linkId,
        tenant_id: row.tenant_id,
        connection_id: row.connection_id,
        provider: row.provider,
        delivery: 'direct',
        method: minted.method,
        url: minted.url,
        ...(minted.form ? { form: minted.form } : {}),
        expires_at: expiresAt,
      });
    } catch (error) {
      send(res, 502, { code: 'upstream_error', detail: (error as Error).message });
    }
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
          connectionId: row.connection_id,
          secretVersion: row.version,
          origin: secretOrigin(row.base_url),
        },
      );
      secret = JSON.parse(plain.toString('utf8')) as Record<string, string>;
      if (row.provider === 'flussonic') this.secrets.set(cacheKey, secret);
    }
    return secret;
  }

  private bearer(row: ResolvedRow): Promise<{ token: string; expiresAt: number }> {
    const cacheKey = `${row.connection_id}:${row.version}`;
    const cached = this.bearers.get(cacheKey);
    if (cached) {
      return cached.then((b) =>
        b.expiresAt - BEARER_REFRESH_MARGIN_MS > Date.now() ? b : (this.bearers.delete(cacheKey), this.bearer(row)),
      );
    }
    const fetching = (async () => {
      const creds = this.credentials(row);
      if (creds.bearer_token) return { token: creds.bearer_token, expiresAt: Number.MAX_SAFE_INTEGER };
      const basic = Buffer.from(`${creds.client_id}:${creds.client_secret}`).toString('base64');
      const answer = await this.call(`${row.base_url}/api/2/idp/token`, 'grant_type=client_credentials', {
        authorization: `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded',
      });
      return { token: String(answer.access_token), expiresAt: Date.now() + Number(answer.expires_in) * 1000 };
    })();
    this.bearers.set(cacheKey, fetching);
    fetching.catch(() => this.bearers.delete(cacheKey));
    return fetching;
  }

  private async mintAcronis(row: ResolvedRow, login: string): Promise<Minted> {
    const { token } = await this.bearer(row);
    const answer = await this.call(`${row.base_url}/api/2/idp/ott`, JSON.stringify({ purpose: 'user_login', login }), {
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
    const salt = randomBytes(8).toString('hex');
    const utc = Math.floor(Date.now() / 1000);
    const adminToken = `${salt}:${utc}:${createHash('md5').update(`${salt}:${utc}:${apiKey}`).digest('hex')}`;
    const validTill = utc + (row.settings.token_ttl ?? 60);
    const answer = await this.call(
      `${row.base_url}/vsaas/api/generate-autologin-token`,
      JSON.stringify({ login, valid_till: validTill }),
      {
        'x-vsaas-api-key': adminToken,
        'content-type': 'application/json',
      },
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

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (data += chunk));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
