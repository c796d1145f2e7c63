import { ServerResponse } from 'node:http';
import { ConnectionContext } from '../login-link-provider.interface';
import { closedPortUrl, LocalServer, RecordedRequest, sendJson, startLocalServer } from '../testing/local-http-server';
import { UpstreamHttpClient } from '../upstream/upstream-http.client';
import { DEFAULT_UPSTREAM_HTTP_OPTIONS } from '../upstream/upstream-http.options';
import { FlussonicProvider } from './flussonic.provider';
import { caught, thrown } from '../testing/provider-errors';

const TOKEN = 'de:mo:1487258314:f8b1:b4bdaac58cbe94638e5b14a3728b8e6d633f3c6e';
type Reply = (request: RecordedRequest, response: ServerResponse) => unknown;

/** Generous, so that a loaded CI machine does not turn a normal answer into a timeout. */
const DEADLINE_MS = 1500;

describe('FlussonicProvider', () => {
  let server: LocalServer;
  let http: UpstreamHttpClient;
  let sut: FlussonicProvider;
  let reply: Reply;
  let credentials: Record<string, unknown>;

  const connection = (overrides: Partial<ConnectionContext> = {}): ConnectionContext => ({
    tenantId: 't-1',
    connectionId: 'c-1',
    baseUrl: server.url,
    settings: {},
    credentialVersion: 1,
    loadCredentials: async () => credentials,
    ...overrides,
  });
  const mint = (request = {}, ctx = connection()) => sut.mint(ctx, { subject: { login: 'alice' }, ...request });
  const body = (i = 0) => JSON.parse(server.requests[i].body);

  beforeEach(async () => {
    reply = (_request, response) => sendJson(response, 200, { autologin_token: TOKEN, success: true });
    credentials = { api_key: 'HELLO', auth_mode: 'legacy' };
    server = await startLocalServer((request, response) => reply(request, response));
    http = new UpstreamHttpClient({ ...DEFAULT_UPSTREAM_HTTP_OPTIONS, timeoutMs: DEADLINE_MS, breakerFailures: 100 });
    sut = new FlussonicProvider(http);
  });

  afterEach(async () => {
    await http.onModuleDestroy();
    await server.close();
  });

  describe('mint', () => {
    it('answers a form POST to /vsaas/autologin carrying the opaque token unchanged', async () => {
      const action = await mint();
      expect(action).toEqual({
        method: 'POST',
        url: `${server.url}/vsaas/autologin`,
        form: { action: `${server.url}/vsaas/autologin`, fields: { autologin_token: TOKEN } },
        upstreamToken: TOKEN,
        upstreamExpiresAt: new Date(body().valid_till * 1000),
      });
    });

    it('legacy: signs a fresh salt:utc:md5 admin token on every call', async () => {
      await mint();
      await mint();
      const [first, second] = server.requests.map((r) => r.headers['x-vsaas-api-key'] as string);
      expect(server.requests[0].path).toBe('/vsaas/api/generate-autologin-token');
      expect(first).toMatch(/^[0-9a-f]+:\d{10}:[0-9a-f]{32}$/);
      expect(first.split(':')[0]).not.toBe(second.split(':')[0]);
      expect(Math.abs(Number(first.split(':')[1]) - Date.now() / 1000)).toBeLessThan(5);
      expect(first).not.toContain('HELLO');
    });

    it('v2: sends the plain key to the v2 endpoint', async () => {
      credentials = { api_key: 'plain-key', auth_mode: 'v2' };
      await mint();
      expect(server.requests[0].path).toBe('/vsaas/api/v2/auth/generate-autologin-token');
      expect(server.requests[0].headers['x-vsaas-api-key']).toBe('plain-key');
      expect(server.requests[0].headers['content-type']).toBe('application/json');
    });

    it('sets valid_till from token_ttl and lifetime from the request, else the settings', async () => {
      const now = Math.floor(Date.now() / 1000);
      await mint({ sessionLifetime: 600 }, connection({ settings: { token_ttl: 30, default_session_lifetime: 3600 } }));
      await mint({}, connection({ settings: { default_session_lifetime: 3600 } }));
      await mint();
      expect(body(0)).toEqual({ login: 'alice', valid_till: expect.any(Number), lifetime: 600 });
      expect(body(0).valid_till - now).toBeGreaterThanOrEqual(30);
      expect(body(0).valid_till - now).toBeLessThanOrEqual(35); // slack for a stalled machine
      expect(body(1).lifetime).toBe(3600);
      expect(body(2)).toEqual({ login: 'alice', valid_till: expect.any(Number) });
      expect(body(2).valid_till - now).toBeGreaterThanOrEqual(60);
    });
  });

  describe('prepare', () => {
    const ctx = { baseUrl: 'https://watcher.example.com', settings: {} };

    it.each([{ user_id: 'u' }, { external_id: 'e' }])('accepts only login, not %p', (subject) => {
      const error = thrown(() => sut.prepare(ctx, { subject }));
      expect([error.status, error.code]).toEqual([400, 'invalid_user_identifier']);
      expect(error.detail).toContain('login only');
    });

    it.each([59, 30 * 24 * 3600 + 1, 1.5])('rejects session_lifetime %p', (sessionLifetime) => {
      expect(thrown(() => sut.prepare(ctx, { subject: { login: 'a' }, sessionLifetime })).code).toBe(
        'invalid_session_lifetime',
      );
    });

    it('rejects a target_uri', () => {
      expect(thrown(() => sut.prepare(ctx, { subject: { login: 'a' }, targetUri: 'https://x.example.com' })).code).toBe(
        'target_uri_not_allowed',
      );
    });
  });

  describe('error mapping', () => {
    const answer =
      (status: number, payload: unknown, headers: Record<string, string> = {}): Reply =>
      (_request, response) =>
        typeof payload === 'string'
          ? response.writeHead(status, headers).end(payload)
          : sendJson(response, status, payload, headers);

    it.each([
      ['404', answer(404, { success: false, error: 'NotFound' }), 404, 'upstream_user_not_found'],
      ['403 WrongApikey', answer(403, { success: false, error: 'WrongApikey' }), 502, 'upstream_unauthorized'],
      ['403 ApikeyExpired', answer(403, { success: false, error: 'ApikeyExpired' }), 502, 'upstream_unauthorized'],
      ['other 403', answer(403, { success: false, error: 'Forbidden' }), 403, 'upstream_forbidden'],
      ['403 without a body', answer(403, 'denied'), 403, 'upstream_forbidden'],
      ['400', answer(400, { success: false, error: 'ValidationError' }), 502, 'upstream_bad_request'],
      ['500', answer(500, { success: false, error: 'ApplicationError' }), 502, 'upstream_error'],
      ['garbage 200', answer(200, 'not json'), 502, 'upstream_error'],
      ['200 with success false', answer(200, { success: false, autologin_token: 'x' }), 502, 'upstream_error'],
    ])('%s', async (_name, handler, status, code) => {
      reply = handler;
      const error = await caught(mint());
      expect([error.status, error.code]).toEqual([status, code]);
      expect(server.requests).toHaveLength(1);
    });

    it('passes Retry-After on from a 429', async () => {
      reply = answer(429, 'slow', { 'retry-after': '3' });
      const error = await caught(mint());
      expect([error.code, error.headers]).toEqual(['upstream_rate_limited', { 'Retry-After': '3' }]);
    });

    it('times out within the deadline', async () => {
      reply = () => undefined;
      const started = Date.now();
      expect((await caught(mint())).code).toBe('upstream_timeout');
      expect(Date.now() - started).toBeLessThan(DEADLINE_MS + 1000);
    });

    it('maps connection refused to upstream_unreachable', async () => {
      expect((await caught(mint({}, connection({ baseUrl: await closedPortUrl() })))).code).toBe(
        'upstream_unreachable',
      );
    });
  });

  describe('check', () => {
    it('v2: reads one user with the plain key', async () => {
      credentials = { api_key: 'k', auth_mode: 'v2' };
      reply = (request, response) => sendJson(response, request.headers['x-vsaas-api-key'] === 'k' ? 200 : 403, []);
      await expect(sut.check(connection())).resolves.toMatchObject({ ok: true });
      expect(server.requests[0].path).toBe('/vsaas/api/v2/users?limit=1');
      credentials = { api_key: 'wrong', auth_mode: 'v2' };
      await expect(sut.check(connection())).resolves.toMatchObject({ ok: false, code: 'upstream_unauthorized' });
    });

    it('legacy: an unknown probe login means the key was accepted; WrongApikey means rejected', async () => {
      reply = (_request, response) => sendJson(response, 404, { success: false, error: 'NotFound' });
      await expect(sut.check(connection())).resolves.toMatchObject({ ok: true });
      expect(body().login).toMatch(/^sso-broker-check-[0-9a-f]{16}$/);
      reply = (_request, response) => sendJson(response, 403, { success: false, error: 'WrongApikey' });
      await expect(sut.check(connection())).resolves.toMatchObject({ ok: false, code: 'upstream_unauthorized' });
      reply = (_request, response) => sendJson(response, 403, { success: false, error: 'Forbidden' });
      await expect(sut.check(connection())).resolves.toMatchObject({
        ok: false,
        detail: expect.stringContaining('Could not confirm'),
      });
    });
  });

  describe('parsing', () => {
    it('defaults auth_mode to legacy', () => {
      expect(sut.parseCredentials({ api_key: 'k' })).toEqual({
        kind: 'api_key',
        value: { api_key: 'k', auth_mode: 'legacy' },
      });
    });

    it('rejects an Acronis-shaped credential with field errors', () => {
      const error = thrown(() => sut.parseCredentials({ client_id: 'a', client_secret: 'b' }));
      expect([error.status, error.code]).toEqual([400, 'invalid_credentials']);
      expect(error.errors!.map((e) => e.field)).toEqual(
        expect.arrayContaining(['credentials.client_id', 'credentials.client_secret', 'credentials.api_key']),
      );
    });

    it('rejects out-of-range settings with field errors', () => {
      const error = thrown(() => sut.parseSettings({ token_ttl: 5, default_session_lifetime: '600' }));
      expect(error.code).toBe('invalid_settings');
      expect(error.errors!.map((e) => e.field)).toEqual(
        expect.arrayContaining(['settings.token_ttl', 'settings.default_session_lifetime']),
      );
      expect(sut.parseSettings({ token_ttl: 30 })).toEqual({ token_ttl: 30 });
    });
  });
});
