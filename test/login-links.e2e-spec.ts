import { acronisOptionsFromEnv, AcronisSimulator, startAcronisSimulator } from '@app/acronis-simulator';
import { FlussonicSimulator, startFlussonicSimulator } from '@app/flussonic-simulator';
import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-app';

const ALICE = 'alice@customer-a.example';
const VIEWER = 'viewer@customer-a.example';

describe('login links: each provider × each delivery, caching, validation, idempotency, fail closed', () => {
  let t: TestApp;
  let acronis: AcronisSimulator;
  let flussonic: FlussonicSimulator;
  let tenantId: string;
  let portalKey: string;
  let flussonicConnectionId: string;

  const admin = () => ({ Authorization: `Bearer ${t.adminKey}` });
  const portal = () => ({ Authorization: `Bearer ${portalKey}` });
  const issue = (body: object, headers: Record<string, string> = {}) =>
    request(t.url).post('/v1/login-links').set(portal()).set(headers).send(body);

  async function createConnection(
    name: string,
    provider: string,
    baseUrl: string,
    settings: object,
    credentials: object,
  ): Promise<string> {
    const res = await request(t.url)
      .post(`/v1/tenants/${tenantId}/connections`)
      .set(admin())
      .send({ name, provider, base_url: baseUrl, settings, credentials });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  beforeAll(async () => {
    [t, acronis, flussonic] = await Promise.all([
      createTestApp(),
      startAcronisSimulator({ ...acronisOptionsFromEnv({}), port: 0 }),
      startFlussonicSimulator({ apiKey: 'watcher-key', users: [{ login: VIEWER }] }),
    ]);
    const tenant = await request(t.url).post('/v1/tenants').set(admin()).send({ name: 'Customer A' });
    tenantId = tenant.body.id;
    const key = await request(t.url)
      .post('/v1/api-keys')
      .set(admin())
      .send({ name: 'portal', role: 'portal', tenant_id: tenantId });
    portalKey = key.body.key;
    const client = { client_id: 'demo-client', client_secret: 'demo-secret' };
    await createConnection(
      'acronis',
      'acronis',
      acronis.url,
      { allowed_target_uris: [`${acronis.url}/mc/`, `${acronis.url}/ui/`] },
      client,
    );
    flussonicConnectionId = await createConnection(
      'flussonic',
      'flussonic',
      flussonic.url,
      { default_session_lifetime: 3600 },
      { api_key: 'watcher-key' },
    );
  });

  afterAll(async () => {
    await Promise.all([t?.close(), acronis?.close(), flussonic?.close()]);
  });

  function ottOf(url: string): { ott: string; target: string } {
    const fragment = new URLSearchParams(new URL(url).hash.slice(1));
    return { ott: fragment.get('ott') as string, target: fragment.get('targetURI') as string };
  }

  /** What the continue page's form sends: an empty HTML form POST to the same URL. */
  const redeem = (url: string) => request(url).post('').type('form').send('');
  const ottLogin = (ott: string) => request(acronis.url).post('/api/2/idp/ott/login').send({ ott });
  const autologin = (action: string, token: string) =>
    request(new URL(action).origin).post(new URL(action).pathname).type('form').send({ autologin_token: token });

  it('acronis direct: the external-login URL carries a working single-use OTT in its fragment', async () => {
    const res = await issue({ connection: 'acronis', user: { login: ALICE }, target_uri: `${acronis.url}/ui/` });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ tenant_id: tenantId, provider: 'acronis', delivery: 'direct', method: 'GET' });
    expect(res.body.url.startsWith(`${acronis.url}/api/2/idp/external-login#ott=`)).toBe(true);
    const { ott, target } = ottOf(res.body.url);
    expect(target).toBe(`${acronis.url}/ui/`);
    expect((await ottLogin(ott)).status).toBe(200);
    expect((await ottLogin(ott)).status).toBe(401);
    const [event] = await t.db.query<{ token_fingerprint: string; subject_login: string }>(
      `SELECT token_fingerprint, subject_login FROM audit_events WHERE link_id = $1 AND action = 'login_link.issued'`,
      [res.body.id],
    );
    expect(event.subject_login).toBe(ALICE);
    expect(event.token_fingerprint).toHaveLength(16);
    expect(JSON.stringify(event)).not.toContain(ott);
  });

  it('flussonic direct: a POST form that logs the user in once', async () => {
    const res = await issue({ connection: 'flussonic', user: { login: VIEWER } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ provider: 'flussonic', method: 'POST', url: `${flussonic.url}/vsaas/autologin` });
    expect(res.body.form.action).toBe(res.body.url);
    const first = await autologin(res.body.form.action, res.body.form.fields.autologin_token);
    expect(first.status).toBe(302);
    expect(first.headers['set-cookie']?.[0]).toMatch(/^vsaas_session=/);
    expect((await autologin(res.body.form.action, res.body.form.fields.autologin_token)).status).toBe(403);
  });

  it('acronis launch: minted only when redeemed (POST), 302 to the login URL, then 410', async () => {
    const before = acronis.counters.ottsMinted;
    const res = await issue({
      connection: 'acronis',
      user: { user_id: 'a1a1a1a1-0000-4000-8000-000000000001' },
      delivery: 'launch',
    });
    expect(res.status).toBe(201);
    expect(res.body.url).toMatch(new RegExp(`^${t.url}/l/[A-Za-z0-9_-]{43}$`));
    expect(acronis.counters.ottsMinted).toBe(before);
    const page = await request(res.body.url).get('');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Acronis Cyber Protect Cloud');
    expect(page.headers['content-security-policy']).toContain(`form-action 'self' ${acronis.url}`);
    expect(acronis.counters.ottsMinted).toBe(before);
    const opened = await redeem(res.body.url);
    expect(opened.status).toBe(302);
    expect(opened.headers['cache-control']).toBe('no-store');
    expect(opened.headers['referrer-policy']).toBe('no-referrer');
    const { ott, target } = ottOf(opened.headers.location);
    expect(target).toBe(`${acronis.url}/mc/`);
    expect((await ottLogin(ott)).status).toBe(200);
    const again = await redeem(res.body.url);
    expect(again.status).toBe(410);
    expect(again.headers['content-type']).toMatch(/^text\/html/);
    expect((await request(res.body.url).get('')).status).toBe(410);
    const actions = await t.db.query<{ action: string }>(
      `SELECT action FROM audit_events WHERE link_id = $1 ORDER BY seq`,
      [res.body.id],
    );
    expect(actions.map((a) => a.action)).toEqual([
      'login_link.issued',
      'login_link.redeemed',
      'login_link.redeem_rejected',
    ]);
  });

  it('flussonic launch: the redemption answers an auto-submitting hand-off page with a strict CSP that logs in once', async () => {
    const res = await issue({ connection: 'flussonic', user: { login: VIEWER }, delivery: 'launch', expires_in: 600 });
    expect(res.status).toBe(201);
    expect(Date.parse(res.body.expires_at) - Date.now()).toBeGreaterThan(590_000);
    const page = await redeem(res.body.url);
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain(`form-action ${flussonic.url}`);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain('<button type="submit">Continue to Flussonic Watcher</button>');
    const action = /action="([^"]+)"/.exec(page.text)?.[1] as string;
    const token = /name="autologin_token" value="([^"]+)"/.exec(page.text)?.[1] as string;
    expect(action).toBe(`${flussonic.url}/vsaas/autologin`);
    expect((await autologin(action, token)).status).toBe(302);
    expect((await autologin(action, token)).status).toBe(403);
    expect((await redeem(res.body.url)).status).toBe(410);
  });

  it("launch expiry: the request's expires_in, else the connection's launch_expires_in, else LAUNCH_LINK_TTL_SECONDS", async () => {
    const lifetime = async (body: Record<string, unknown>) => {
      const res = await issue({ connection: 'flussonic', user: { login: VIEWER }, delivery: 'launch', ...body });
      expect(res.status).toBe(201);
      return Math.round((Date.parse(res.body.expires_at) - Date.now()) / 1000);
    };
    const connectionUrl = `/v1/tenants/${tenantId}/connections/${flussonicConnectionId}`;
    expect(await lifetime({})).toBeGreaterThanOrEqual(295); // broker default, 300 s
    expect(await lifetime({})).toBeLessThanOrEqual(300);
    await request(t.url).patch(connectionUrl).set(admin()).send({ launch_expires_in: 1800 }).expect(200);
    try {
      expect(await lifetime({})).toBeGreaterThanOrEqual(1795);
      expect(await lifetime({})).toBeLessThanOrEqual(1800);
      expect(await lifetime({ expires_in: 60 })).toBeLessThanOrEqual(60);
    } finally {
      await request(t.url).patch(connectionUrl).set(admin()).send({ launch_expires_in: null }).expect(200);
    }
  });

  it('answers 410 for unknown tokens; a redemption attempt is audited on the broker-wide chain, a page view is not', async () => {
    const rejected = async () =>
      Number(
        (
          await t.db.query<{ n: string }>(
            `SELECT count(*) AS n FROM audit_events WHERE action = 'login_link.redeem_rejected' AND tenant_id IS NULL`,
          )
        )[0].n,
      );
    const before = await rejected();
    const viewed = await request(t.url).get(`/l/${'A'.repeat(43)}`);
    expect(viewed.status).toBe(410);
    expect(await rejected()).toBe(before);
    const res = await request(t.url)
      .post(`/l/${'A'.repeat(43)}`)
      .type('form')
      .send('');
    expect(res.status).toBe(410);
    expect(await rejected()).toBe(before + 1);
  });

  it('caches the access token: 100 links → 1 token; 50 concurrent first requests → 1 token; an expired one is refreshed once', async () => {
    const creds = { client_id: 'demo-client', client_secret: 'demo-secret' };
    await createConnection('acronis-cache', 'acronis', acronis.url, { allowed_target_uris: [] }, creds);
    let before = acronis.counters.tokensIssued;
    for (let i = 0; i < 100; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, () => issue({ connection: 'acronis-cache', user: { login: ALICE } })),
      );
      expect(batch.map((r) => r.status)).toEqual(Array(10).fill(201));
    }
    expect(acronis.counters.tokensIssued - before).toBe(1);

    await createConnection('acronis-burst', 'acronis', acronis.url, { allowed_target_uris: [] }, creds);
    before = acronis.counters.tokensIssued;
    const burst = await Promise.all(
      Array.from({ length: 50 }, () => issue({ connection: 'acronis-burst', user: { login: ALICE } })),
    );
    expect(burst.map((r) => r.status)).toEqual(Array(50).fill(201));
    expect(acronis.counters.tokensIssued - before).toBe(1);

    before = acronis.counters.tokensIssued;
    acronis.advanceClock(7201_000);
    expect((await issue({ connection: 'acronis-burst', user: { login: ALICE } })).status).toBe(201);
    expect((await issue({ connection: 'acronis-burst', user: { login: ALICE } })).status).toBe(201);
    expect(acronis.counters.tokensIssued - before).toBe(1);
  });

  it('validates the request: identifiers, allow-list, unknown connection, tenant scoping', async () => {
    const none = await issue({ connection: 'acronis', user: {} });
    expect(none.status).toBe(400);
    expect(none.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await issue({ connection: 'acronis', user: { login: ALICE, user_id: 'x' } })).status).toBe(400);
    const target = await issue({ connection: 'acronis', user: { login: ALICE }, target_uri: 'https://evil.example/' });
    expect(target.status).toBe(400);
    expect(target.body.code).toBe('target_uri_not_allowed');
    const unknown = await issue({ connection: 'nope', user: { login: ALICE } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('connection_not_found');
    const foreign = await issue({
      connection: 'acronis',
      user: { login: ALICE },
      tenant_id: '00000000-0000-4000-8000-000000000000',
    });
    expect(foreign.status).toBe(404);
    const adminNoTenant = await request(t.url)
      .post('/v1/login-links')
      .set(admin())
      .send({ connection: 'acronis', user: { login: ALICE } });
    expect(adminNoTenant.body.code).toBe('tenant_id_required');
    const adminOk = await request(t.url)
      .post('/v1/login-links')
      .set(admin())
      .send({ connection: 'acronis', user: { login: ALICE }, tenant_id: tenantId });
    expect(adminOk.status).toBe(201);
    const missing = await issue({ connection: 'acronis', user: { login: 'ghost@customer-a.example' } });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('upstream_user_not_found');
  });

  it('replays an Idempotency-Key answer without minting again; another body → 422', async () => {
    const key = `idem-${Date.now()}-0123456789abcdef`;
    const body = { connection: 'acronis', user: { login: ALICE } };
    const before = acronis.counters.ottsMinted;
    const [a, b] = await Promise.all([
      issue(body, { 'Idempotency-Key': key }),
      issue(body, { 'Idempotency-Key': key }),
    ]);
    const statuses = [a.status, b.status].sort();
    expect([
      [201, 201],
      [201, 409],
    ]).toContainEqual(statuses);
    const first = a.status === 201 ? a : b;
    const replay = await issue({ user: { login: ALICE }, connection: 'acronis' }, { 'Idempotency-Key': key });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(acronis.counters.ottsMinted - before).toBe(1);
    const reused = await issue({ ...body, target_uri: `${acronis.url}/ui/` }, { 'Idempotency-Key': key });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('idempotency_key_reused');
    const stored = await t.db.query<{ sealed_answer: Buffer }>(`SELECT sealed_answer FROM login_link_idempotency`);
    expect(stored.some((row) => row.sealed_answer.toString('latin1').includes(ottOf(first.body.url).ott))).toBe(false);
  });

  it('fails closed: without an audit write there is no link (503), and it works again once granted', async () => {
    const idemKey = `idem-closed-${Date.now()}-0123456789abcdef`;
    const count = async () => Number((await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM login_links`))[0].n);
    const before = await count();
    await t.db.query(`REVOKE EXECUTE ON FUNCTION audit_append FROM sso_broker_runtime`);
    try {
      for (const delivery of ['direct', 'launch']) {
        const res = await issue({ connection: 'flussonic', user: { login: VIEWER }, delivery });
        expect(res.status).toBe(503);
        expect(res.body.code).toBe('audit_unavailable');
      }
      // With an Idempotency-Key: no link, and the key is free again (released, no answer stored).
      const refused = await issue({ connection: 'flussonic', user: { login: VIEWER } }, { 'Idempotency-Key': idemKey });
      expect(refused.status).toBe(503);
      expect(await count()).toBe(before);
    } finally {
      await t.db.query(`GRANT EXECUTE ON FUNCTION audit_append TO sso_broker_runtime`);
    }
    expect((await issue({ connection: 'flussonic', user: { login: VIEWER } })).status).toBe(201);
    const retried = await issue({ connection: 'flussonic', user: { login: VIEWER } }, { 'Idempotency-Key': idemKey });
    expect(retried.status).toBe(201);
    const replayed = await issue({ connection: 'flussonic', user: { login: VIEWER } }, { 'Idempotency-Key': idemKey });
    expect(replayed.body).toEqual(retried.body);
  });

  it('gives a suspended tenant no link, at issue and at redemption', async () => {
    const launch = await issue({ connection: 'flussonic', user: { login: VIEWER }, delivery: 'launch' });
    await request(t.url).patch(`/v1/tenants/${tenantId}`).set(admin()).send({ status: 'suspended' }).expect(200);
    try {
      const res = await issue({ connection: 'flussonic', user: { login: VIEWER } });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('tenant_suspended');
      const opened = await request(launch.body.url).get('');
      expect(opened.status).toBe(403);
      expect(opened.text).toContain('tenant_suspended');
      const redeemed = await redeem(launch.body.url);
      expect(redeemed.status).toBe(403);
      expect(redeemed.text).toContain('tenant_suspended');
    } finally {
      await request(t.url).patch(`/v1/tenants/${tenantId}`).set(admin()).send({ status: 'active' }).expect(200);
    }
    expect((await request(launch.body.url).get('')).status).toBe(200);
    expect((await redeem(launch.body.url)).status).toBe(200);
  });
});
