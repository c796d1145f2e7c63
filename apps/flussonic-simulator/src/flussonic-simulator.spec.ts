import { buildAdminToken, FlussonicSimulator, FlussonicSimulatorOptions, startFlussonicSimulator } from './index';

const VECTOR_UTC = 1487258700;
const VECTOR_TOKEN = '20a666:1487258700:4b60f36de708e5b3472155db2fea990a';

let sim: FlussonicSimulator;
const baseOptions: FlussonicSimulatorOptions = {
  apiKey: 'HELLO',
  users: [{ login: 'demo' }, { login: 'boss', is_admin: true }, { login: 'gone', enabled: false }],
  now: () => VECTOR_UTC * 1000,
};

async function start(overrides: Partial<FlussonicSimulatorOptions> = {}): Promise<void> {
  await sim?.close();
  sim = await startFlussonicSimulator({ ...baseOptions, ...overrides });
}

const generateLegacy = (adminToken: string, body: unknown): Promise<Response> =>
  fetch(`${sim.url}/vsaas/api/generate-autologin-token`, {
    method: 'POST',
    headers: { 'X-Vsaas-Api-Key': adminToken, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

const generateV2 = (headers: Record<string, string>, body: unknown): Promise<Response> =>
  fetch(`${sim.url}/vsaas/api/v2/auth/generate-autologin-token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

async function mintToken(body: Record<string, unknown> = { login: 'demo' }): Promise<string> {
  const res = await generateV2({ 'X-Vsaas-Api-Key': 'HELLO' }, body);
  return ((await res.json()) as { autologin_token: string }).autologin_token;
}

const postAutologin = (token: string): Promise<Response> =>
  fetch(`${sim.url}/vsaas/autologin`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ autologin_token: token }).toString(),
    redirect: 'manual',
  });

beforeEach(() => start());
afterEach(() => sim.close());

describe('legacy admin token', () => {
  it('accepts the vendor test vector when the clock is at its utc', async () => {
    expect(buildAdminToken('20a666', VECTOR_UTC, 'HELLO')).toBe(VECTOR_TOKEN);
    const res = await generateLegacy(VECTOR_TOKEN, { login: 'demo', valid_till: VECTOR_UTC + 60 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { autologin_token: string; success: boolean };
    expect(body.success).toBe(true);
    expect(body.autologin_token).toMatch(new RegExp(`^demo:${VECTOR_UTC + 60}:[0-9a-f]{4}:[0-9a-f]{40}$`));
  });

  it('answers 403 ApikeyExpired for a stamp outside the window', async () => {
    sim.advanceClock(301_000);
    const res = await generateLegacy(VECTOR_TOKEN, { login: 'demo' });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ success: false, error: 'ApikeyExpired' });
  });

  it('accepts a stamp at the edge of the window', async () => {
    sim.advanceClock(300_000);
    expect((await generateLegacy(VECTOR_TOKEN, { login: 'demo' })).status).toBe(200);
  });

  it.each([
    ['a wrong key', buildAdminToken('20a666', VECTOR_UTC, 'WRONG')],
    ['the plain key', 'HELLO'],
    ['the spaced doc typo', '20a666: 1487258700: 4b60f36de708e5b3472155db2fea990a'],
  ])('answers 403 WrongApikey for %s', async (_case, token) => {
    const res = await generateLegacy(token, { login: 'demo' });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ success: false, error: 'WrongApikey' });
  });
});

describe('v2 generate-autologin-token', () => {
  it.each(['X-Vsaas-Api-Key', 'X-Vsaas-Apikey'])('accepts the plain system key in %s', async (header) => {
    const res = await generateV2({ [header]: 'HELLO' }, { login: 'demo' });
    expect(res.status).toBe(200);
    const { autologin_token: token } = (await res.json()) as { autologin_token: string };
    expect(token.split(':')[1]).toBe(String(VECTOR_UTC + 300));
    expect(sim.counters.autologinTokensMinted).toBe(1);
  });

  it('refuses a wrong or missing key with 403 WrongApikey', async () => {
    for (const headers of [{ 'X-Vsaas-Api-Key': 'nope' }, {}] as Record<string, string>[]) {
      const res = await generateV2(headers, { login: 'demo' });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ success: false, error: 'WrongApikey' });
    }
  });

  it('answers 400 for a missing login or a past valid_till', async () => {
    expect((await generateV2({ 'X-Vsaas-Api-Key': 'HELLO' }, {})).status).toBe(400);
    expect(
      (await generateV2({ 'X-Vsaas-Api-Key': 'HELLO' }, { login: 'demo', valid_till: VECTOR_UTC - 1 })).status,
    ).toBe(400);
  });

  it('answers 404 NotFound by default and the configured 403 for unknown or disabled logins', async () => {
    const unknown = await generateV2({ 'X-Vsaas-Api-Key': 'HELLO' }, { login: 'nobody' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ success: false, error: 'NotFound' });
    expect((await generateV2({ 'X-Vsaas-Api-Key': 'HELLO' }, { login: 'gone' })).status).toBe(404);
    await start({ unknownUserStatus: 403 });
    expect((await generateV2({ 'X-Vsaas-Api-Key': 'HELLO' }, { login: 'nobody' })).status).toBe(403);
  });
});

describe('POST /vsaas/autologin', () => {
  it('logs in once: 302 to /vsaas/ with a session cookie whose Max-Age is the lifetime', async () => {
    const token = await mintToken({ login: 'boss', lifetime: 600 });
    const first = await postAutologin(token);
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe('/vsaas/');
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/Max-Age=600/);
    const whoami = await fetch(`${sim.url}/vsaas/api/v2/auth/whoami`, { headers: { Cookie: cookie.split(';')[0] } });
    expect(await whoami.json()).toEqual({ login: 'boss', is_admin: true });
    const viaHeader = await fetch(`${sim.url}/vsaas/api/v2/auth/whoami`, {
      headers: { 'X-Vsaas-Session': cookie.split(';')[0].split('=')[1] },
    });
    expect(viaHeader.status).toBe(200);
    const home = await fetch(`${sim.url}/vsaas/`, { headers: { Cookie: cookie.split(';')[0] } });
    expect([home.status, await home.text()]).toEqual([200, expect.stringContaining('Logged in as boss')]);
    expect((await fetch(`${sim.url}/vsaas/`)).status).toBe(401);

    expect((await postAutologin(token)).status).toBe(403);
    expect(sim.counters.autologinTokensConsumed).toBe(1);
  });

  it('allows reuse until valid_till when singleUseTokens is off', async () => {
    await start({ singleUseTokens: false });
    const token = await mintToken();
    expect((await postAutologin(token)).status).toBe(302);
    expect((await postAutologin(token)).status).toBe(302);
  });

  it('refuses expired, forged and missing tokens with 403', async () => {
    const token = await mintToken({ login: 'demo', valid_till: VECTOR_UTC + 10 });
    const forged = token.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    expect((await postAutologin(forged)).status).toBe(403);
    sim.advanceClock(10_000);
    expect((await postAutologin(token)).status).toBe(403);
    expect((await postAutologin('')).status).toBe(403);
  });

  it('answers 405 to GET', async () => {
    const res = await fetch(`${sim.url}/vsaas/autologin?autologin_token=x`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});

describe('GET /vsaas/api/v2/users', () => {
  it('lists users for the system key and refuses others', async () => {
    const res = await fetch(`${sim.url}/vsaas/api/v2/users?search=bo`, { headers: { 'X-Vsaas-Api-Key': 'HELLO' } });
    expect(await res.json()).toEqual([expect.objectContaining({ login: 'boss', is_admin: true, enabled: true })]);
    expect((await fetch(`${sim.url}/vsaas/api/v2/users`)).status).toBe(403);
  });
});

describe('faults and counters', () => {
  it('answers an injected status in the Flussonic error shape and counts it', async () => {
    sim.faults.set({ status: 503, path: '/vsaas/api/v2/auth/generate-autologin-token', times: 1 });
    const res = await generateV2({ 'X-Vsaas-Api-Key': 'HELLO' }, { login: 'demo' });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ success: false, error: 'ApplicationError' });
    expect((await generateV2({ 'X-Vsaas-Api-Key': 'HELLO' }, { login: 'demo' })).status).toBe(200);
    expect(sim.counters).toMatchObject({ faultsApplied: 1, autologinTokensMinted: 1 });
    expect(sim.counters.requestsByPath['/vsaas/api/v2/auth/generate-autologin-token']).toBe(2);
  });
});
