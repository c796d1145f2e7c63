import { Logger } from '@nestjs/common';
import { ServerResponse } from 'node:http';
import { ManualClock } from '@app/common';
import { ConnectionContext } from '../login-link-provider.interface';
import { ProviderException } from '../providers.exception';
import { closedPortUrl, LocalServer, RecordedRequest, sendJson, startLocalServer } from '../testing/local-http-server';
import { UpstreamHttpClient } from '../upstream/upstream-http.client';
import { DEFAULT_UPSTREAM_HTTP_OPTIONS } from '../upstream/upstream-http.options';
import { AcronisProvider } from './acronis.provider';
import { caught } from '../testing/provider-errors';

const VENDOR_OTT = 'T1RUAQAAAG8-AAAAAAAATxLwKLZ0RMaVZ3GEk4JUMw==';
const CLIENT = { client_id: 'client-1', client_secret: 's3cret-value' };
type OttReply = (request: RecordedRequest, response: ServerResponse) => void;

/** Generous, so that a loaded CI machine does not turn a normal answer into a timeout. */
const DEADLINE_MS = 1500;

describe('AcronisProvider', () => {
  let server: LocalServer;
  let http: UpstreamHttpClient;
  let clock: ManualClock;
  let sut: AcronisProvider;
  let validTokens: Set<string>;
  let tokenLifetimeSeconds: number;
  let ottReply: OttReply | undefined;
  let credentials: Record<string, unknown>;
  let credentialLoads: number;

  const calls = (path: string) => server.requests.filter((r) => r.path.startsWith(path)).length;
  const connection = (overrides: Partial<ConnectionContext> = {}): ConnectionContext => ({
    tenantId: 't-1',
    connectionId: 'c-1',
    baseUrl: server.url,
    settings: { allowed_target_uris: [`${server.url}/mc/`, 'https://portal.example.com/app?x=1'] },
    credentialVersion: 1,
    loadCredentials: async () => {
      credentialLoads++;
      return credentials;
    },
    ...overrides,
  });
  const mint = (request = {}, ctx = connection()) => sut.mint(ctx, { subject: { login: 'alice' }, ...request });

  beforeEach(async () => {
    validTokens = new Set();
    tokenLifetimeSeconds = 7200;
    ottReply = undefined;
    credentials = CLIENT;
    credentialLoads = 0;
    server = await startLocalServer((request, response) => {
      const bearer = request.headers.authorization?.replace('Bearer ', '') ?? '';
      if (request.path === '/api/2/idp/token') {
        const basic = Buffer.from(`${CLIENT.client_id}:${CLIENT.client_secret}`).toString('base64');
        if (request.headers.authorization !== `Basic ${basic}` || request.body !== 'grant_type=client_credentials') {
          return sendJson(response, 401, { error: 'access_denied', error_description: 'bad client' });
        }
        const token = `at-${calls('/api/2/idp/token')}`;
        validTokens.add(token);
        return sendJson(response, 200, { access_token: token, token_type: 'bearer', expires_in: tokenLifetimeSeconds });
      }
      if (!validTokens.has(bearer)) return sendJson(response, 401, { error: { code: 401, message: 'Unauthorized' } });
      if (request.path.startsWith('/api/2/users/check_login')) return response.writeHead(204).end();
      if (ottReply) return ottReply(request, response);
      return sendJson(response, 200, { ott: VENDOR_OTT });
    });
    http = new UpstreamHttpClient({ ...DEFAULT_UPSTREAM_HTTP_OPTIONS, timeoutMs: DEADLINE_MS, breakerFailures: 100 });
    clock = new ManualClock();
    sut = new AcronisProvider(http, clock);
  });

  afterEach(async () => {
    await http.onModuleDestroy();
    await server.close();
  });

  describe('mint', () => {
    it('builds the external-login link with the OTT and target in the fragment (vendor example)', async () => {
      const action = await mint();
      expect(action.method).toBe('GET');
      expect(action.url).toBe(
        `${server.url}/api/2/idp/external-login#ott=T1RUAQAAAG8-AAAAAAAATxLwKLZ0RMaVZ3GEk4JUMw%3D%3D` +
          `&targetURI=${encodeURIComponent(`${server.url}/mc/`)}`,
      );
      expect(action.upstreamToken).toBe(VENDOR_OTT);
      expect(action.upstreamExpiresAt.getTime()).toBe(clock.now() + 30_000);
      const ottRequest = server.requests.find((r) => r.path === '/api/2/idp/ott');
      expect(JSON.parse(ottRequest!.body)).toEqual({ purpose: 'user_login', login: 'alice' });
      expect(ottRequest!.headers['content-type']).toBe('application/json');
    });

    it('caches the access token across 100 mints and never decrypts again', async () => {
      for (let i = 0; i < 100; i++) await mint();
      expect(calls('/api/2/idp/token')).toBe(1);
      expect(calls('/api/2/idp/ott')).toBe(100);
      expect(credentialLoads).toBe(1);
    });

    it('shares one token fetch among 50 concurrent first mints', async () => {
      await Promise.all(Array.from({ length: 50 }, () => mint()));
      expect(calls('/api/2/idp/token')).toBe(1);
    });

    it('keys the cache on the credential version', async () => {
      await mint();
      await mint({}, connection({ credentialVersion: 2 }));
      expect(calls('/api/2/idp/token')).toBe(2);
    });

    it('refreshes an expired token once', async () => {
      tokenLifetimeSeconds = 1;
      await mint();
      clock.advance(499); // a 1 s token is kept for half its lifetime
      await mint();
      expect(calls('/api/2/idp/token')).toBe(1);
      clock.advance(1);
      await mint();
      await mint();
      expect(calls('/api/2/idp/token')).toBe(2);
    });

    it('on a 401 refreshes the token and retries once', async () => {
      await mint();
      validTokens.clear();
      await expect(mint()).resolves.toMatchObject({ upstreamToken: VENDOR_OTT });
      expect(calls('/api/2/idp/token')).toBe(2);
      expect(calls('/api/2/idp/ott')).toBe(3);
    });

    it('gives up with upstream_unauthorized when the fresh token is rejected too', async () => {
      ottReply = (_request, response) => sendJson(response, 401, { error: { code: 401, message: 'Unauthorized' } });
      const error = await caught(mint());
      expect([error.status, error.code]).toEqual([502, 'upstream_unauthorized']);
      expect(calls('/api/2/idp/token')).toBe(2);
      expect(calls('/api/2/idp/ott')).toBe(2);
    });

    it('reports a rejected pasted bearer token without retrying', async () => {
      credentials = { bearer_token: 'pasted-and-revoked' };
      const error = await caught(mint());
      expect([error.status, error.code]).toEqual([502, 'upstream_unauthorized']);
      expect(error.detail).toContain('bearer token');
      expect(error.detail).not.toContain('pasted-and-revoked');
      expect(calls('/api/2/idp/ott')).toBe(1);
      expect(calls('/api/2/idp/token')).toBe(0);
    });

    it('uses a valid pasted bearer token directly', async () => {
      validTokens.add('pasted-token');
      credentials = { bearer_token: 'pasted-token' };
      await mint();
      expect(server.requests[0].headers.authorization).toBe('Bearer pasted-token');
      expect(calls('/api/2/idp/token')).toBe(0);
    });

    it('maps a rejected client secret to upstream_unauthorized without echoing it', async () => {
      credentials = { client_id: 'client-1', client_secret: 'wrong-secret' };
      const error = await caught(mint());
      expect([error.status, error.code]).toEqual([502, 'upstream_unauthorized']);
      expect(error.detail).not.toContain('access_denied');
      expect(error.detail).not.toContain('wrong-secret');
    });

    it('sends user_id or external_id as given', async () => {
      await mint({ subject: { user_id: '0b6c8a2e-8d7e-4c43-8f4e-0e0c3b8f9a11' } });
      await mint({ subject: { external_id: 'idp-42' } });
      const bodies = server.requests.filter((r) => r.path === '/api/2/idp/ott').map((r) => JSON.parse(r.body));
      expect(bodies).toEqual([
        { purpose: 'user_login', user_id: '0b6c8a2e-8d7e-4c43-8f4e-0e0c3b8f9a11' },
        { purpose: 'user_login', external_id: 'idp-42' },
      ]);
    });
  });

  describe('target URI', () => {
    const targetOf = (url: string) => decodeURIComponent(url.split('&targetURI=')[1]);

    it('accepts an allow-listed target after normalisation', async () => {
      const action = await mint({ targetUri: 'HTTPS://portal.example.com:443/app?x=1' });
      expect(targetOf(action.url)).toBe('https://portal.example.com/app?x=1');
    });

    it('rejects a target outside the allow-list before any upstream call', async () => {
      const error = await caught(mint({ targetUri: 'https://evil.example.com/' }));
      expect([error.status, error.code]).toEqual([400, 'target_uri_not_allowed']);
      expect(server.requests).toHaveLength(0);
    });

    it('uses the configured default, else the console', async () => {
      const settings = {
        allowed_target_uris: ['https://portal.example.com/home'],
        default_target_uri: 'https://portal.example.com/home',
      };
      expect(targetOf((await mint({}, connection({ settings }))).url)).toBe('https://portal.example.com/home');
      expect(targetOf((await mint({}, connection({ settings: { allowed_target_uris: [] } }))).url)).toBe(
        `${server.url}/mc/`,
      );
    });
  });

  describe('prepare', () => {
    const ctx = () => ({ baseUrl: 'https://dc.example.com', settings: { allowed_target_uris: [] } });

    it.each([{}, { login: 'a', user_id: 'b' }, { login: '' }, { login: 42 as unknown as string }])(
      'rejects subject %p with invalid_user_identifier',
      (subject) => {
        expect(() => sut.prepare(ctx(), { subject })).toThrow(
          expect.objectContaining({ status: 400, code: 'invalid_user_identifier' }),
        );
      },
    );

    it('rejects session_lifetime, which Acronis cannot honour', () => {
      expect(() => sut.prepare(ctx(), { subject: { login: 'a' }, sessionLifetime: 600 })).toThrow(
        expect.objectContaining({ status: 400, code: 'invalid_session_lifetime' }),
      );
    });
  });

  describe('error mapping', () => {
    const reply =
      (status: number, body: unknown, headers: Record<string, string> = {}): OttReply =>
      (_request, response) =>
        typeof body === 'string'
          ? response.writeHead(status, headers).end(body)
          : sendJson(response, status, body, headers);

    it.each([
      ['404', reply(404, { error: { code: 404, message: 'User not found' } }), 404, 'upstream_user_not_found'],
      [
        '400 naming an unknown user',
        reply(400, { error: { code: 1004, message: 'Login not found' } }),
        404,
        'upstream_user_not_found',
      ],
      ['other 400', reply(400, { error: { code: 400, message: 'Bad purpose' } }), 502, 'upstream_bad_request'],
      ['403', reply(403, { error: { code: 1002, message: 'Access denied' } }), 403, 'upstream_forbidden'],
      ['500', reply(500, 'oops'), 502, 'upstream_error'],
      ['garbage 200', reply(200, '<html>'), 502, 'upstream_error'],
      ['200 without ott', reply(200, { token: 'x' }), 502, 'upstream_error'],
    ])('%s', async (_name, handler, status, code) => {
      ottReply = handler;
      const error = await caught(mint());
      expect([error.status, error.code]).toEqual([status, code]);
    });

    it('passes Retry-After on from a 429', async () => {
      ottReply = reply(429, { error: { code: 429, message: 'slow down' } }, { 'retry-after': '7' });
      const error = await caught(mint());
      expect([error.status, error.code, error.headers]).toEqual([429, 'upstream_rate_limited', { 'Retry-After': '7' }]);
    });

    it('keeps upstream text out of the detail and logs it redacted and truncated', async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      try {
        ottReply = reply(400, { error: { code: 400, message: `bad token ${'A'.repeat(40)} ${'word '.repeat(60)}` } });
        const error = await caught(mint());
        expect(error.detail).toBe('Acronis refused the request with HTTP 400; its message is in the broker log.');
        const logged = warn.mock.calls.map(([fields]) => fields as { upstream_says?: string });
        const said = logged.find((fields) => fields.upstream_says !== undefined)?.upstream_says ?? '';
        expect(said).toMatch(/^400: bad token \[redacted\] (word ?)+$/);
        expect(said.length).toBeLessThanOrEqual(4 + 1 + 160);
        expect(said).not.toContain('A'.repeat(40));
      } finally {
        warn.mockRestore();
      }
    });

    it('times out within the deadline', async () => {
      ottReply = () => undefined;
      const started = Date.now();
      const error = await caught(mint());
      expect([error.status, error.code]).toEqual([504, 'upstream_timeout']);
      expect(Date.now() - started).toBeLessThan(DEADLINE_MS + 1000);
    });

    it('maps connection refused to upstream_unreachable', async () => {
      const error = await caught(mint({}, connection({ baseUrl: await closedPortUrl() })));
      expect([error.status, error.code]).toEqual([502, 'upstream_unreachable']);
    });
  });

  describe('check', () => {
    it('fetches a fresh token for client credentials, bypassing the cache', async () => {
      await mint();
      await expect(sut.check(connection())).resolves.toEqual({ ok: true, detail: expect.any(String) });
      expect(calls('/api/2/idp/token')).toBe(2);
    });

    it('reports rejected client credentials', async () => {
      credentials = { client_id: 'client-1', client_secret: 'nope' };
      await expect(sut.check(connection())).resolves.toMatchObject({ ok: false, code: 'upstream_unauthorized' });
    });

    it('probes check_login with a bearer token', async () => {
      validTokens.add('pasted-token');
      credentials = { bearer_token: 'pasted-token' };
      await expect(sut.check(connection())).resolves.toMatchObject({ ok: true });
      expect(server.requests[0].path).toMatch(/^\/api\/2\/users\/check_login\?username=sso-broker-check-[0-9a-f]{16}$/);
      credentials = { bearer_token: 'revoked' };
      await expect(sut.check(connection())).resolves.toMatchObject({ ok: false, code: 'upstream_unauthorized' });
    });
  });

  describe('parsing', () => {
    it('accepts either credential shape and tells them apart', () => {
      expect(sut.parseCredentials(CLIENT)).toEqual({ kind: 'client_credentials', value: CLIENT });
      expect(sut.parseCredentials({ bearer_token: 'abc' })).toEqual({
        kind: 'bearer_token',
        value: { bearer_token: 'abc' },
      });
    });

    it.each([
      [{ client_id: 'a', client_secret: 'b', bearer_token: 'c' }, 'credentials'],
      [{ client_id: 'a' }, 'credentials.client_secret'],
      [{ api_key: 'k' }, 'credentials.api_key'],
      ['nope', 'credentials'],
    ])('rejects credential %p with a field error on %s', (raw, field) => {
      const error = (() => {
        try {
          sut.parseCredentials(raw);
        } catch (e) {
          return e as ProviderException;
        }
      })();
      expect(error).toMatchObject({ status: 400, code: 'invalid_credentials' });
      expect(error!.errors!.map((e) => e.field)).toContain(field);
    });

    it('normalises settings and requires the default to be allow-listed', () => {
      expect(
        sut.parseSettings({
          allowed_target_uris: ['HTTPS://Portal.example.com'],
          default_target_uri: 'https://portal.example.com/',
        }),
      ).toEqual({
        allowed_target_uris: ['https://portal.example.com/'],
        default_target_uri: 'https://portal.example.com/',
      });
      expect(() =>
        sut.parseSettings({ allowed_target_uris: [], default_target_uri: 'https://x.example.com/' }),
      ).toThrow(
        expect.objectContaining({
          code: 'invalid_settings',
          errors: [expect.objectContaining({ field: 'settings.default_target_uri' })],
        }),
      );
      expect(() => sut.parseSettings({ allowed_target_uris: ['javascript:alert(1)'], extra: 1 })).toThrow(
        expect.objectContaining({
          code: 'invalid_settings',
          errors: expect.arrayContaining([
            expect.objectContaining({ field: 'settings.allowed_target_uris' }),
            expect.objectContaining({ field: 'settings.extra' }),
          ]),
        }),
      );
    });
  });
});
