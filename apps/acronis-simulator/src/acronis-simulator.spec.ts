import { AcronisSimulator, AcronisSimulatorOptions, startAcronisSimulator } from './index';

const PARTNER = 'tenant-partner';
const CUSTOMER = 'tenant-customer';
const FOREIGN = 'tenant-foreign';

const baseOptions: AcronisSimulatorOptions = {
  tenants: [{ id: PARTNER }, { id: CUSTOMER, parent_id: PARTNER }, { id: FOREIGN }],
  clients: [
    { client_id: 'client-1', client_secret: 'secret-1', tenant_id: PARTNER },
    { client_id: 'client-off', client_secret: 'secret-off', tenant_id: PARTNER, enabled: false },
  ],
  users: [
    { id: 'u-alice', login: 'alice@example.test', external_id: 'ext-alice', tenant_id: CUSTOMER },
    { id: 'u-bob', login: 'bob@example.test', tenant_id: CUSTOMER, support_access: false },
    { id: 'u-carol', login: 'carol@example.test', tenant_id: FOREIGN },
    { id: 'u-dave', login: 'dave@example.test', tenant_id: CUSTOMER, enabled: false },
  ],
  staticBearerTokens: [{ token: 'pasted-token', tenant_id: CUSTOMER }],
};

let sim: AcronisSimulator;
const api = (path: string): string => `${sim.url}/api/2${path}`;
const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

async function requestToken(
  id = 'client-1',
  secret = 'secret-1',
  body = 'grant_type=client_credentials',
): Promise<Response> {
  return fetch(api('/idp/token'), {
    method: 'POST',
    headers: { Authorization: basic(id, secret), 'Content-Type': 'application/x-www-form-urlencoded' },
    body,
  });
}

async function accessToken(): Promise<string> {
  const body = (await (await requestToken()).json()) as { access_token: string };
  return body.access_token;
}

async function postOtt(token: string, body: unknown, contentType = 'application/json'): Promise<Response> {
  return fetch(api('/idp/ott'), {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': contentType },
    body: JSON.stringify(body),
  });
}

async function mintOtt(login = 'alice@example.test'): Promise<string> {
  const res = await postOtt(await accessToken(), { purpose: 'user_login', login });
  return ((await res.json()) as { ott: string }).ott;
}

const ottLogin = (ott: string): Promise<Response> =>
  fetch(api('/idp/ott/login'), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Acronis-API': '1' },
    body: JSON.stringify({ ott }),
  });

beforeEach(async () => {
  sim = await startAcronisSimulator(baseOptions);
});
afterEach(() => sim.close());

describe('POST /idp/token', () => {
  it('issues an RS256 JWT with kid for Basic credentials', async () => {
    const before = Math.floor(sim.now() / 1000);
    const res = await requestToken();
    const after = Math.floor(sim.now() / 1000);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'bearer', expires_in: 7200 });
    // Issued at some second between the two readings (the request may cross a second boundary).
    expect(body.expires_on).toBeGreaterThanOrEqual(before + 7200);
    expect(body.expires_on).toBeLessThanOrEqual(after + 7200);
    expect(typeof body.id_token).toBe('string');
    const header = JSON.parse(Buffer.from(String(body.access_token).split('.')[0], 'base64url').toString()) as Record<
      string,
      string
    >;
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(header.kid).toMatch(/^[0-9a-f]{40}$/);
    expect(sim.counters.tokensIssued).toBe(1);
  });

  it('accepts client_secret_post form fields', async () => {
    const res = await fetch(api('/idp/token'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=client-1&client_secret=secret-1',
    });
    expect(res.status).toBe(200);
  });

  it('refuses a bad secret with 401 in the tokenError shape', async () => {
    const res = await requestToken('client-1', 'wrong');
    expect(res.status).toBe(401);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({ error: 'access_denied', error_description: expect.any(String) });
    expect(JSON.stringify(body)).not.toContain('wrong');
  });

  it('refuses a disabled client with 401', async () => {
    const res = await requestToken('client-off', 'secret-off');
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('access_denied');
  });

  it('requires grant_type=client_credentials', async () => {
    const res = await requestToken('client-1', 'secret-1', 'grant_type=password');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('stops accepting tokens after revokeAllTokens (secret reset)', async () => {
    const token = await accessToken();
    sim.revokeAllTokens();
    const res = await postOtt(token, { purpose: 'user_login', login: 'alice@example.test' });
    expect(res.status).toBe(401);
  });
});

describe('POST /idp/ott', () => {
  it('mints a URL-safe, padded OTT starting with OTT\\x01', async () => {
    const res = await postOtt(await accessToken(), { purpose: 'user_login', login: 'alice@example.test' });
    expect(res.status).toBe(200);
    const { ott } = (await res.json()) as { ott: string };
    expect(ott).toMatch(/^[A-Za-z0-9_-]+==$/);
    expect(ott).toHaveLength(44);
    expect(Buffer.from(ott, 'base64url').subarray(0, 4).toString('latin1')).toBe('OTT\x01');
    expect(sim.counters.ottsMinted).toBe(1);
  });

  it.each([
    ['no identifier', { purpose: 'user_login' }],
    ['two identifiers', { purpose: 'user_login', login: 'alice@example.test', user_id: 'u-alice' }],
    ['an unknown field', { purpose: 'user_login', login: 'alice@example.test', role: 'admin' }],
    ['no purpose', { login: 'alice@example.test' }],
    ['another purpose', { purpose: 'verify', login: 'alice@example.test' }],
  ])('answers 400 errorScheme for %s', async (_case, body) => {
    const res = await postOtt(await accessToken(), body);
    expect(res.status).toBe(400);
    const error = ((await res.json()) as { error: Record<string, unknown> }).error;
    expect(error).toMatchObject({
      code: 400,
      domain: expect.any(String),
      message: expect.any(String),
      details: { info: expect.any(String) },
    });
  });

  it('accepts user_id and external_id as the identifier', async () => {
    const token = await accessToken();
    expect((await postOtt(token, { purpose: 'user_login', user_id: 'u-alice' })).status).toBe(200);
    expect((await postOtt(token, { purpose: 'user_login', external_id: 'ext-alice' })).status).toBe(200);
  });

  it('answers 415 for a non-JSON content type', async () => {
    const res = await postOtt(
      await accessToken(),
      { purpose: 'user_login', login: 'alice@example.test' },
      'text/plain',
    );
    expect(res.status).toBe(415);
  });

  it('answers 404 by default for unknown and disabled users', async () => {
    const token = await accessToken();
    expect((await postOtt(token, { purpose: 'user_login', login: 'nobody@example.test' })).status).toBe(404);
    expect((await postOtt(token, { purpose: 'user_login', login: 'dave@example.test' })).status).toBe(404);
  });

  it('uses the configured unknownUserStatus', async () => {
    await sim.close();
    sim = await startAcronisSimulator({ ...baseOptions, unknownUserStatus: 400 });
    const res = await postOtt(await accessToken(), { purpose: 'user_login', login: 'nobody@example.test' });
    expect(res.status).toBe(400);
  });

  it('answers 403 for a user outside the token tenant subtree or without support access', async () => {
    const token = await accessToken();
    expect((await postOtt(token, { purpose: 'user_login', login: 'carol@example.test' })).status).toBe(403);
    expect((await postOtt(token, { purpose: 'user_login', login: 'bob@example.test' })).status).toBe(403);
  });

  it('scopes a pasted static token to its tenant', async () => {
    expect((await postOtt('pasted-token', { purpose: 'user_login', login: 'alice@example.test' })).status).toBe(200);
    expect((await postOtt('pasted-token', { purpose: 'user_login', login: 'carol@example.test' })).status).toBe(403);
  });

  it('answers 401 for unknown tokens and for tokens past their expiry', async () => {
    expect((await postOtt('not-a-token', { purpose: 'user_login', login: 'alice@example.test' })).status).toBe(401);
    const token = await accessToken();
    sim.advanceClock(7200 * 1000);
    const res = await postOtt(token, { purpose: 'user_login', login: 'alice@example.test' });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(401);
  });
});

describe('POST /idp/ott/login', () => {
  it('consumes the OTT once, returns the user and a session cookie usable on /users/me', async () => {
    const ott = await mintOtt();
    const first = await ottLogin(ott);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ id: 'u-alice', login: 'alice@example.test', tenant_id: CUSTOMER });
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    const me = await fetch(api('/users/me'), { headers: { Cookie: cookie.split(';')[0] } });
    expect(await me.json()).toMatchObject({ id: 'u-alice' });

    const second = await ottLogin(ott);
    expect(second.status).toBe(401);
    expect(await second.json()).toMatchObject({ error: { code: 401 } });
    expect(sim.counters.ottsConsumed).toBe(1);
  });

  it('refuses an OTT older than the TTL', async () => {
    const ott = await mintOtt();
    sim.advanceClock(30_000);
    expect((await ottLogin(ott)).status).toBe(401);
  });

  it('accepts an OTT just inside the TTL', async () => {
    const ott = await mintOtt();
    sim.advanceClock(29_000);
    expect((await ottLogin(ott)).status).toBe(200);
  });

  it('redirects through the script-free external-login hook', async () => {
    const ott = await mintOtt();
    const url = `${api('/idp/external-login/_sim')}?ott=${encodeURIComponent(ott)}&targetURI=${encodeURIComponent('https://dc.test/mc/')}`;
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://dc.test/mc/');
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(401);
  });

  it('serves /mc/ and /bc/ as the console of the session the OTT opened, 401 without one', async () => {
    const login = await ottLogin(await mintOtt());
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    for (const path of ['/mc/', '/bc/']) {
      const page = await fetch(`${sim.url}${path}`, { headers: { Cookie: cookie } });
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/Logged in as [^<]+</);
      expect((await fetch(`${sim.url}${path}`)).status).toBe(401);
    }
  });
});

describe('directory endpoints', () => {
  it('serves the external-login page that posts to ott/login with X-Acronis-API', async () => {
    const res = await fetch(api('/idp/external-login'));
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain('/api/2/idp/ott/login');
    expect(html).toContain("'X-Acronis-API': '1'");
    expect(html).toContain('location.replace(target)');
  });

  it('answers check_login with 409 for a taken login and 204 for a free one', async () => {
    const auth = { Authorization: `Bearer ${await accessToken()}` };
    expect((await fetch(api('/users/check_login?username=ALICE@example.test'), { headers: auth })).status).toBe(409);
    expect((await fetch(api('/users/check_login?username=free@example.test'), { headers: auth })).status).toBe(204);
    expect((await fetch(api('/users/check_login?username=free@example.test'))).status).toBe(401);
  });

  it('returns the client tenant from /clients/{id}', async () => {
    const res = await fetch(api('/clients/client-1'), { headers: { Authorization: `Bearer ${await accessToken()}` } });
    expect(await res.json()).toMatchObject({ client_id: 'client-1', tenant_id: PARTNER, status: 'enabled' });
  });

  it('publishes the signing key at /idp/keys', async () => {
    const token = await accessToken();
    const kid = (JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as { kid: string }).kid;
    const jwks = (await (await fetch(api('/idp/keys'))).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toContain(kid);
  });

  it('answers unknown paths with a 404 errorScheme and counts requests by route template', async () => {
    expect((await fetch(api('/nope'))).status).toBe(404);
    await fetch(api('/clients/client-1'));
    expect(sim.counters.requestsByPath).toMatchObject({ '(unmatched)': 1, '/api/2/clients/{client_id}': 1 });
  });

  it('answers injected faults in the errorScheme envelope, over HTTP control too', async () => {
    await fetch(`${sim.url}/_sim/faults`, {
      method: 'POST',
      body: JSON.stringify({ status: 429, retryAfter: 3, path: '/api/2/idp/token', times: 1 }),
    });
    const res = await requestToken();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await res.json()).toMatchObject({ error: { code: 429, domain: 'PlatformAccountServer' } });
    expect((await requestToken()).status).toBe(200);
    expect(sim.counters).toMatchObject({ faultsApplied: 1, tokensIssued: 1 });
  });
});
