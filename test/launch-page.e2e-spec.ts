import { acronisOptionsFromEnv, AcronisSimulator, startAcronisSimulator } from '@app/acronis-simulator';
import { FlussonicSimulator, startFlussonicSimulator } from '@app/flussonic-simulator';
import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-app';

const VIEWER = 'viewer@customer-a.example';

/**
 * Issue 12 at the HTTP level: only a person's POST redeems a launch link; HEAD and GET (what mail
 * scanners and previewers send) only look. The browser journey is in test/browser/.
 */
describe('launch page flow: GET looks, POST redeems', () => {
  let t: TestApp;
  let acronis: AcronisSimulator;
  let flussonic: FlussonicSimulator;
  let tenantId: string;
  let portalKey: string;
  let flussonicId: string;

  const admin = () => ({ Authorization: `Bearer ${t.adminKey}` });
  const launch = async (connection = 'flussonic', login = VIEWER) => {
    const res = await request(t.url)
      .post('/v1/login-links')
      .set({ Authorization: `Bearer ${portalKey}` })
      .send({ connection, user: { login }, delivery: 'launch' });
    expect(res.status).toBe(201);
    return { id: res.body.id as string, url: res.body.url as string, path: new URL(res.body.url).pathname };
  };
  const redeem = (path: string, headers: Record<string, string> = {}) =>
    request(t.url).post(path).set(headers).type('form').send('');
  const eventsOf = async (linkId: string) =>
    (
      await t.db.query<{ action: string; error_code: string | null }>(
        `SELECT action, error_code FROM audit_events WHERE link_id = $1 ORDER BY seq`,
        [linkId],
      )
    ).map((e) => (e.error_code ? `${e.action}:${e.error_code}` : e.action));

  beforeAll(async () => {
    [t, acronis, flussonic] = await Promise.all([
      createTestApp(),
      startAcronisSimulator({ ...acronisOptionsFromEnv({}), port: 0 }),
      startFlussonicSimulator({ apiKey: 'watcher-key', users: [{ login: VIEWER }] }),
    ]);
    tenantId = (await request(t.url).post('/v1/tenants').set(admin()).send({ name: 'Customer A' })).body.id;
    portalKey = (
      await request(t.url)
        .post('/v1/api-keys')
        .set(admin())
        .send({ name: 'portal', role: 'portal', tenant_id: tenantId })
    ).body.key;
    const connect = (body: object) =>
      request(t.url).post(`/v1/tenants/${tenantId}/connections`).set(admin()).send(body).expect(201);
    flussonicId = (
      await connect({
        name: 'flussonic',
        provider: 'flussonic',
        base_url: flussonic.url,
        credentials: { api_key: 'watcher-key' },
      })
    ).body.id;
    await connect({
      name: 'acronis',
      provider: 'acronis',
      base_url: acronis.url,
      settings: {},
      credentials: { client_id: 'demo-client', client_secret: 'demo-secret' },
      launch_confirmation: 'click',
    });
  });

  afterAll(async () => {
    await Promise.all([t?.close(), acronis?.close(), flussonic?.close()]);
  });

  it('HEAD and GET never redeem, mint or audit, and show nothing of an upstream token', async () => {
    const link = await launch();
    const minted = flussonic.counters.autologinTokensMinted;
    const head = await request(t.url).head(link.path);
    expect(head.status).toBe(200);
    expect(head.headers.location).toBeUndefined();
    for (let i = 0; i < 3; i++) {
      const page = await request(t.url).get(link.path);
      expect(page.status).toBe(200);
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect(page.text).not.toMatch(/autologin_token|ott=/);
    }
    expect(flussonic.counters.autologinTokensMinted).toBe(minted);
    expect(await eventsOf(link.id)).toEqual(['login_link.issued']);
    expect((await redeem(link.path)).status).toBe(200);
    expect(flussonic.counters.autologinTokensMinted).toBe(minted + 1);
    expect(await eventsOf(link.id)).toEqual(['login_link.issued', 'login_link.redeemed']);
  });

  it('the continue page names the tenant and the upstream, auto-submits by a hash-pinned script and posts only to itself or the upstream', async () => {
    const auto = await request(t.url).get((await launch()).path);
    expect(auto.text).toContain('Customer A');
    expect(auto.text).toContain('Continue to Flussonic Watcher');
    expect(auto.text).toContain('<meta name="viewport"');
    expect(auto.text).toMatch(/<script>[^<]*\.submit\(\);<\/script>/);
    const csp = auto.headers['content-security-policy'];
    expect(csp).toMatch(/^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+'; style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).toContain(`form-action 'self' ${flussonic.url}`);

    const click = await request(t.url).get((await launch('acronis', 'alice@customer-a.example')).path);
    expect(click.text).toContain('Continue to Acronis Cyber Protect Cloud');
    expect(click.text).not.toMatch(/\.submit\(\)/);
    expect(click.headers['content-security-policy']).toContain(`form-action 'self' ${acronis.url}`);
  });

  it('launch_confirmation is admin-set on create and PATCH, auto by default, and validated', async () => {
    const url = `/v1/tenants/${tenantId}/connections/${flussonicId}`;
    expect((await request(t.url).get(url).set(admin())).body.launch_confirmation).toBe('auto');
    const bad = await request(t.url).patch(url).set(admin()).send({ launch_confirmation: 'never' });
    expect([bad.status, bad.body.code]).toEqual([400, 'validation_failed']);
    const link = await launch();
    await request(t.url).patch(url).set(admin()).send({ launch_confirmation: 'click' }).expect(200);
    try {
      // The mode is read when the page is shown: a link issued before the change follows it too.
      expect((await request(t.url).get(link.path)).text).not.toMatch(/\.submit\(\)/);
      const [event] = await t.db.query<{ metadata: Record<string, unknown> }>(
        `SELECT metadata FROM audit_events WHERE action = 'connection.updated' AND connection_id = $1 ORDER BY seq DESC LIMIT 1`,
        [flussonicId],
      );
      expect(event.metadata).toEqual({
        changed: ['launch_confirmation'],
        before: { launch_confirmation: 'auto' },
        after: { launch_confirmation: 'click' },
      });
    } finally {
      await request(t.url).patch(url).set(admin()).send({ launch_confirmation: 'auto' }).expect(200);
    }
  });

  it('GET of an unknown, used, expired or revoked link answers the one 410 page and records nothing; POST records why', async () => {
    const used = await launch();
    await redeem(used.path).expect(200);
    const expired = await launch();
    await t.db.query(`UPDATE login_links SET expires_at = now() - interval '1 second' WHERE id = $1`, [expired.id]);
    const revoked = await launch();
    await request(t.url)
      .delete(`/v1/login-links/${revoked.id}`)
      .set({ Authorization: `Bearer ${portalKey}` })
      .expect(204);
    const count = async () => Number((await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_events`))[0].n);
    const before = await count();
    const pages = await Promise.all(
      [used.path, expired.path, revoked.path, `/l/${'B'.repeat(43)}`].map((p) => request(t.url).get(p)),
    );
    expect(pages.map((p) => p.status)).toEqual([410, 410, 410, 410]);
    expect(new Set(pages.map((p) => p.text.replace(/<code>[^<]*<\/code>/, ''))).size).toBe(1);
    expect(await count()).toBe(before);
    expect((await redeem(expired.path)).status).toBe(410);
    expect((await redeem(revoked.path)).status).toBe(410);
    expect((await eventsOf(expired.id)).at(-1)).toBe('login_link.redeem_rejected:launch_link_expired');
    expect((await eventsOf(revoked.id)).at(-1)).toBe('login_link.redeem_rejected:launch_link_revoked');
  });

  it('refuses a redemption another site started (Sec-Fetch-Site, Origin), audits it and leaves the link usable', async () => {
    const link = await launch();
    const attempts: Record<string, string>[] = [
      { 'Sec-Fetch-Site': 'cross-site', Origin: 'null' },
      { 'Sec-Fetch-Site': 'same-site' },
      { Origin: 'https://evil.example' },
    ];
    for (const headers of attempts) {
      const res = await redeem(link.path, headers);
      expect(res.status).toBe(403);
      expect(res.text).toContain('launch_cross_site');
    }
    expect(await eventsOf(link.id)).toEqual([
      'login_link.issued',
      ...Array(3).fill('login_link.redeem_rejected:launch_link_cross_site'),
    ]);
    const own = await redeem(link.path, { 'Sec-Fetch-Site': 'same-origin', Origin: 'null' });
    expect(own.status).toBe(200);
  });

  it('takes an HTML form body on POST /l/{opaque} only (1 KiB at most); every other route still answers 415', async () => {
    const link = await launch();
    expect(
      (
        await request(t.url)
          .post(link.path)
          .type('form')
          .send(`x=${'a'.repeat(2048)}`)
      ).status,
    ).toBe(413);
    const other = await request(t.url).post('/v1/tenants').set(admin()).type('form').send('name=Form');
    expect([other.status, other.body.code]).toEqual([415, 'unsupported_media_type']);
    const text = await request(t.url).post(link.path).set('Content-Type', 'text/plain').send('x');
    expect(text.status).toBe(415);
    expect((await request(t.url).post(link.path).type('form').send('confirm=1')).status).toBe(200);
  });
});
