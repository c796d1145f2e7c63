import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-app';

/** The session cookie of a sign-in answer: `name=value` and its attributes. */
function sessionCookieOf(res: request.Response): { pair: string; attributes: string[] } {
  const header = res.headers['set-cookie'] as unknown as string[] | undefined;
  const cookie = (header ?? []).find((c) => c.includes('sso_console='));
  if (cookie === undefined) throw new Error(`no session cookie: ${res.status} ${JSON.stringify(res.body)}`);
  const [pair, ...attributes] = cookie.split(';').map((part) => part.trim());
  return { pair, attributes };
}

interface Session {
  cookie: string;
  csrf: string;
  body: Record<string, unknown>;
}

describe('web console sessions (cookie, CSRF, revocation, audit)', () => {
  let t: TestApp;
  let tenantA: string;
  let tenantB: string;
  let portalA: string;
  const origin = () => t.url;
  const admin = () => ({ Authorization: `Bearer ${t.adminKey}` });

  const signIn = async (key: string): Promise<Session> => {
    const res = await request(t.url).post('/v1/console/session').set('Origin', origin()).send({ api_key: key });
    expect(res.status).toBe(201);
    return { cookie: sessionCookieOf(res).pair, csrf: res.body.csrf_token as string, body: res.body };
  };
  /** A request the console page would send: cookie, same origin, CSRF token. */
  const fromConsole = (session: Session, req: request.Test) =>
    req
      .set('Cookie', session.cookie)
      .set('Origin', origin())
      .set('Sec-Fetch-Site', 'same-origin')
      .set('X-CSRF-Token', session.csrf);
  const newKey = async (role: string, tenantId?: string) => {
    const res = await request(t.url)
      .post('/v1/api-keys')
      .set(admin())
      .send({ name: `${role} key`, role, tenant_id: tenantId });
    expect(res.status).toBe(201);
    return res.body as { id: string; key: string };
  };
  const eventsOf = (action: string) =>
    t.db.query<{
      tenant_id: string | null;
      outcome: string;
      error_code: string | null;
      actor_id: string | null;
      metadata: Record<string, unknown>;
    }>(
      `SELECT tenant_id, outcome, error_code, actor_id, metadata FROM audit_events WHERE action = $1 ORDER BY occurred_at, seq`,
      [action],
    );

  beforeAll(async () => {
    t = await createTestApp({ env: { CONSOLE_SESSION_IDLE_MINUTES: '15', CONSOLE_SESSION_MAX_HOURS: '2' } });
    const create = async (name: string) =>
      (await request(t.url).post('/v1/tenants').set(admin()).send({ name })).body.id as string;
    tenantA = await create('Console A');
    tenantB = await create('Console B');
    portalA = (await newKey('portal', tenantA)).key;
  });
  afterAll(async () => t?.close());

  it('exchanges an admin key for an HttpOnly, SameSite=Strict, Path=/ cookie; stores only the token hash', async () => {
    const res = await request(t.url).post('/v1/console/session').set('Origin', origin()).send({ api_key: t.adminKey });
    expect(res.status).toBe(201);
    const { pair, attributes } = sessionCookieOf(res);
    expect(attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/', 'Max-Age=7200']));
    expect(attributes).not.toContain('Secure'); // plain http in this test
    expect(res.body).toMatchObject({
      role: 'admin',
      tenant_id: null,
      key_name: expect.any(String),
      idle_timeout_minutes: 15,
    });
    expect(res.headers['cache-control']).toBe('no-store');
    const token = pair.split('=')[1];
    expect(JSON.stringify(res.body)).not.toContain(t.adminKey);
    expect(JSON.stringify(res.body)).not.toContain(token);
    const rows = await t.db.query<{ hex: string }>(`SELECT encode(token_hash, 'hex') AS hex FROM console_sessions`);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((r) => r.hex).join()).not.toContain(Buffer.from(token).toString('hex'));
    const [signedIn] = (await eventsOf('console.signed_in')).slice(-1);
    expect(signedIn).toMatchObject({ tenant_id: null, outcome: 'success' });
    expect(JSON.stringify(signedIn)).not.toContain(token);
  });

  it('acts as the key on /v1: reads with the cookie alone, changes with the CSRF token from a same-origin page', async () => {
    const session = await signIn(t.adminKey);
    const who = await request(t.url).get('/v1/console/session').set('Cookie', session.cookie);
    expect(who.status).toBe(200);
    expect(who.body).toMatchObject({ role: 'admin', csrf_token: session.csrf });
    expect((await request(t.url).get('/v1/tenants').set('Cookie', session.cookie)).status).toBe(200);
    const created = await fromConsole(session, request(t.url).post('/v1/tenants')).send({ name: 'Made In Console' });
    expect(created.status).toBe(201);
    const [event] = await t.db.query<{ actor_id: string }>(
      `SELECT actor_id FROM audit_events WHERE action = 'tenant.created' AND tenant_id = $1`,
      [created.body.id],
    );
    expect(event.actor_id).toBe(session.body.key_id);
  });

  it('refuses a state-changing cookie request without the CSRF token, or started by another site', async () => {
    const session = await signIn(t.adminKey);
    const post = () => request(t.url).post('/v1/tenants').set('Cookie', session.cookie);
    const noToken = await post().set('Origin', origin()).set('Sec-Fetch-Site', 'same-origin').send({ name: 'x' });
    expect(noToken.status).toBe(403);
    expect(noToken.body.code).toBe('invalid_csrf_token');
    expect(noToken.headers['content-type']).toContain('application/problem+json');
    const wrongToken = await post()
      .set('Origin', origin())
      .set('X-CSRF-Token', `${session.csrf.slice(0, -2)}AA`)
      .send({ name: 'x' });
    expect(wrongToken.body.code).toBe('invalid_csrf_token');
    const crossSite = await post()
      .set('Sec-Fetch-Site', 'cross-site')
      .set('Origin', 'https://evil.example')
      .set('X-CSRF-Token', session.csrf)
      .send({ name: 'x' });
    expect([crossSite.status, crossSite.body.code]).toEqual([403, 'cross_site_request']);
    const sameSite = await post()
      .set('Sec-Fetch-Site', 'same-site')
      .set('X-CSRF-Token', session.csrf)
      .send({ name: 'x' });
    expect(sameSite.body.code).toBe('cross_site_request');
    const foreignOrigin = await post()
      .set('Origin', 'https://evil.example')
      .set('X-CSRF-Token', session.csrf)
      .send({ name: 'x' });
    expect(foreignOrigin.body.code).toBe('cross_site_request');
    const noOrigin = await post().set('X-CSRF-Token', session.csrf).send({ name: 'x' });
    expect(noOrigin.body.code).toBe('cross_site_request');
    const [{ count }] = await t.db.query<{ count: string }>(
      `SELECT count(*)::text AS count FROM tenants WHERE name = 'x'`,
    );
    expect(count).toBe('0');
  });

  it('leaves bearer requests as they were (no CSRF token, no Origin), and a bearer key decides over a cookie', async () => {
    const res = await request(t.url).post('/v1/tenants').set(admin()).send({ name: 'Bearer Made' });
    expect(res.status).toBe(201);
    const auditor = await signIn((await newKey('auditor')).key);
    const both = await request(t.url)
      .post('/v1/tenants')
      .set(admin())
      .set('Cookie', auditor.cookie)
      .send({ name: 'Bearer Wins' });
    expect(both.status).toBe(201);
    const bearerWho = await request(t.url).get('/v1/console/session').set(admin());
    expect([bearerWho.status, bearerWho.body.code]).toEqual([404, 'console_session_not_found']);
  });

  it('refuses a portal key (403 console_role_not_allowed), audited on its tenant chain', async () => {
    const res = await request(t.url).post('/v1/console/session').set('Origin', origin()).send({ api_key: portalA });
    expect([res.status, res.body.code]).toEqual([403, 'console_role_not_allowed']);
    expect(res.headers['set-cookie']).toBeUndefined();
    const failed = await eventsOf('console.sign_in_failed');
    expect(failed).toContainEqual(
      expect.objectContaining({ tenant_id: tenantA, outcome: 'failure', error_code: 'console_role_not_allowed' }),
    );
    expect(JSON.stringify(failed)).not.toContain(portalA);
  });

  it('refuses an unknown or malformed key (401), audited without the key text', async () => {
    const unknownKey = `sbk_a_${'x'.repeat(43)}`;
    const unknown = await request(t.url).post('/v1/console/session').send({ api_key: unknownKey });
    expect([unknown.status, unknown.body.code]).toEqual([401, 'invalid_api_key']);
    const malformed = await request(t.url).post('/v1/console/session').send({ api_key: 'not a key' });
    expect([malformed.status, malformed.body.code]).toEqual([401, 'malformed_api_key']);
    const failed = await eventsOf('console.sign_in_failed');
    expect(failed.map((e) => e.error_code)).toEqual(expect.arrayContaining(['invalid_api_key', 'malformed_api_key']));
    expect(JSON.stringify(failed)).not.toContain(unknownKey);
    const extra = await request(t.url).post('/v1/console/session').send({ api_key: t.adminKey, remember: true });
    expect([extra.status, extra.body.code]).toEqual([400, 'validation_failed']);
  });

  it('refuses a sign-in another site started (login CSRF)', async () => {
    const res = await request(t.url)
      .post('/v1/console/session')
      .set('Sec-Fetch-Site', 'cross-site')
      .set('Origin', 'https://evil.example')
      .send({ api_key: t.adminKey });
    expect([res.status, res.body.code]).toEqual([403, 'cross_site_request']);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('ends the sessions of a revoked key on the next request', async () => {
    const key = await newKey('auditor', tenantA);
    const session = await signIn(key.key);
    expect((await request(t.url).get('/v1/audit-events').set('Cookie', session.cookie)).status).toBe(200);
    expect((await request(t.url).delete(`/v1/api-keys/${key.id}`).set(admin())).status).toBe(204);
    const after = await request(t.url).get('/v1/audit-events').set('Cookie', session.cookie);
    expect([after.status, after.body.code]).toEqual([401, 'invalid_console_session']);
  });

  it("ends a tenant auditor's sessions when its tenant is suspended, and refuses new ones", async () => {
    const tenant = (await request(t.url).post('/v1/tenants').set(admin()).send({ name: 'To Suspend' })).body
      .id as string;
    const key = await newKey('auditor', tenant);
    const session = await signIn(key.key);
    const patched = await request(t.url).patch(`/v1/tenants/${tenant}`).set(admin()).send({ status: 'suspended' });
    expect(patched.status).toBe(200);
    const after = await request(t.url).get('/v1/console/session').set('Cookie', session.cookie);
    expect([after.status, after.body.code]).toEqual([401, 'invalid_console_session']);
    const again = await request(t.url).post('/v1/console/session').send({ api_key: key.key });
    expect([again.status, again.body.code]).toEqual([403, 'tenant_suspended']);
    expect((await request(t.url).delete(`/v1/tenants/${tenant}`).set(admin())).status).toBe(204);
    const [{ count }] = await t.db.query<{ count: string }>(
      `SELECT count(*)::text AS count FROM console_sessions WHERE api_key_id = $1`,
      [key.id],
    );
    expect(count).toBe('0');
  });

  it('ends a session after the idle timeout and after its absolute lifetime', async () => {
    const idle = await signIn(t.adminKey);
    await t.db.query(`UPDATE console_sessions SET last_seen_at = now() - interval '16 minutes' WHERE id = (
      SELECT (metadata->>'session_id')::uuid FROM audit_events WHERE action = 'console.signed_in' ORDER BY occurred_at DESC LIMIT 1)`);
    expect((await request(t.url).get('/v1/console/session').set('Cookie', idle.cookie)).body.code).toBe(
      'invalid_console_session',
    );
    const old = await signIn(t.adminKey);
    await t.db
      .query(`UPDATE console_sessions SET created_at = now() - interval '3 hours', expires_at = now() - interval '1 hour' WHERE id = (
      SELECT (metadata->>'session_id')::uuid FROM audit_events WHERE action = 'console.signed_in' ORDER BY occurred_at DESC LIMIT 1)`);
    expect((await request(t.url).get('/v1/console/session').set('Cookie', old.cookie)).body.code).toBe(
      'invalid_console_session',
    );
    const fresh = await signIn(t.adminKey);
    expect((await request(t.url).get('/v1/console/session').set('Cookie', fresh.cookie)).status).toBe(200);
  });

  it('signs out (CSRF-checked), clears the cookie and audits it', async () => {
    const session = await signIn(t.adminKey);
    const forged = await request(t.url)
      .delete('/v1/console/session')
      .set('Cookie', session.cookie)
      .set('Origin', origin());
    expect(forged.body.code).toBe('invalid_csrf_token');
    const out = await fromConsole(session, request(t.url).delete('/v1/console/session'));
    expect(out.status).toBe(204);
    expect(sessionCookieOf(out).attributes.join(';')).toMatch(/Expires=Thu, 01 Jan 1970|Max-Age=0/);
    expect((await request(t.url).get('/v1/console/session').set('Cookie', session.cookie)).status).toBe(401);
    const [event] = (await eventsOf('console.signed_out')).slice(-1);
    expect(event).toMatchObject({
      tenant_id: null,
      actor_id: session.body.key_id,
      metadata: { session_id: expect.any(String) },
    });
  });

  it('gives an auditor session no admin action (403 forbidden_role) and keeps a tenant auditor in its tenant', async () => {
    const auditor = await signIn((await newKey('auditor', tenantA)).key);
    expect(auditor.body).toMatchObject({ role: 'auditor', tenant_id: tenantA });
    const create = await fromConsole(auditor, request(t.url).post('/v1/tenants')).send({ name: 'Nope' });
    expect([create.status, create.body.code]).toEqual([403, 'forbidden_role']);
    const keys = await request(t.url).get('/v1/api-keys').set('Cookie', auditor.cookie);
    expect([keys.status, keys.body.code]).toEqual([403, 'forbidden_role']);
    for (const path of ['/v1/audit-events', '/v1/audit-stats', '/v1/audit-events/verify']) {
      const foreign = await request(t.url).get(`${path}?tenant_id=${tenantB}`).set('Cookie', auditor.cookie);
      expect([path, foreign.status, foreign.body.code]).toEqual([path, 404, 'tenant_not_found']);
    }
    const own = await request(t.url).get('/v1/audit-events?limit=500').set('Cookie', auditor.cookie);
    expect(own.status).toBe(200);
    expect(own.body.data.length).toBeGreaterThan(0);
    expect(own.body.data.every((e: { tenant_id: string }) => e.tenant_id === tenantA)).toBe(true);
  });
});

describe('audit stats (GET /v1/audit-stats)', () => {
  let t: TestApp;
  const tenantA = randomUUID();
  const tenantB = randomUUID();

  beforeAll(async () => {
    t = await createTestApp();
    // Events at known times, written as an owner would (the chain is not what this test is about).
    const events: Array<[string, string, string | null, string]> = [
      // tenant, action, provider, age
      [tenantA, 'login_link.issued', 'acronis', '10 minutes'],
      [tenantA, 'login_link.issued', 'acronis', '20 minutes'],
      [tenantA, 'login_link.redeemed', 'acronis', '15 minutes'],
      [tenantA, 'login_link.failed', 'flussonic', '3 hours'],
      [tenantA, 'login_link.issued', 'flussonic', '3 hours'],
      [tenantA, 'login_link.issued', 'acronis', '5 days'],
      [tenantA, 'login_link.issued', 'acronis', '40 days'],
      [tenantA, 'tenant.updated', null, '1 minute'],
      [tenantB, 'login_link.issued', 'flussonic', '10 minutes'],
      [tenantB, 'login_link.failed', null, '10 minutes'],
    ];
    let seq = 0;
    for (const [tenant, action, provider, age] of events) {
      seq++;
      await t.db.query(
        `INSERT INTO audit_events (id, chain_id, tenant_id, seq, occurred_at, action, outcome, actor_type, provider, metadata, prev_hash, hash)
         VALUES (gen_random_uuid(), $1, $1, $2, date_trunc('hour', now()) + interval '30 minutes' - $3::interval, $4, 'success', 'system', $5, '{}', 'p', 'h')`,
        [tenant, seq, age, action, provider],
      );
    }
  });
  afterAll(async () => t?.close());

  const stats = (query: string, key = t.adminKey) =>
    request(t.url).get(`/v1/audit-stats${query}`).set('Authorization', `Bearer ${key}`);

  it('counts per hour over 24 h, per provider, zero-filled, for one tenant', async () => {
    const res = await stats(`?window=24h&tenant_id=${tenantA}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ window: '24h', bucket: 'hour', providers: ['acronis', 'flussonic'] });
    expect(res.body.totals).toEqual({ issued: 3, failed: 1, redeemed: 1 });
    expect(res.body.buckets).toHaveLength(24);
    const last = res.body.buckets[23];
    expect(new Date(last.start).getTime()).toBe(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    expect(last).toMatchObject({ issued: 2, redeemed: 1, failed: 0 });
    expect(last.providers).toEqual([
      { provider: 'acronis', issued: 2, failed: 0, redeemed: 1 },
      { provider: 'flussonic', issued: 0, failed: 0, redeemed: 0 },
    ]);
    expect(res.body.buckets[20]).toMatchObject({ issued: 1, failed: 1 });
  });

  it('counts per day over 30 days, and across tenants for an admin without tenant_id', async () => {
    const month = await stats(`?window=30d&tenant_id=${tenantA}`);
    expect(month.body.buckets).toHaveLength(30);
    expect(month.body.totals).toEqual({ issued: 4, failed: 1, redeemed: 1 });
    const all = await stats('?window=24h');
    expect(all.body.totals).toEqual({ issued: 4, failed: 2, redeemed: 1 });
    expect(all.body.providers).toEqual(['acronis', 'flussonic', 'unknown']);
  });

  it('keeps a tenant auditor to its own tenant and validates the window', async () => {
    const key = await request(t.url)
      .post('/v1/tenants')
      .set('Authorization', `Bearer ${t.adminKey}`)
      .send({ name: 'Stats Tenant' });
    const auditor = await request(t.url)
      .post('/v1/api-keys')
      .set('Authorization', `Bearer ${t.adminKey}`)
      .send({ name: 'stats auditor', role: 'auditor', tenant_id: key.body.id });
    const own = await stats('', auditor.body.key);
    expect(own.status).toBe(200);
    expect(own.body.totals).toEqual({ issued: 0, failed: 0, redeemed: 0 });
    expect((await stats(`?tenant_id=${tenantA}`, auditor.body.key)).status).toBe(404);
    const bad = await stats('?window=7d');
    expect([bad.status, bad.body.code]).toEqual([400, 'validation_failed']);
  });
});

describe('console sessions behind https, and failed sign-ins over budget', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      env: { PUBLIC_BASE_URL: 'https://console.example.com', RATE_LIMIT_AUTH_FAILURES_PER_IP_PER_MINUTE: '3' },
    });
  });
  afterAll(async () => t?.close());

  it('sets a Secure __Host- cookie', async () => {
    const res = await request(t.url)
      .post('/v1/console/session')
      .set('Origin', 'https://console.example.com')
      .send({ api_key: t.adminKey });
    expect(res.status).toBe(201);
    const header = (res.headers['set-cookie'] as unknown as string[])[0];
    expect(header.startsWith('__Host-sso_console=')).toBe(true);
    expect(header.split('; ')).toEqual(expect.arrayContaining(['Secure', 'HttpOnly', 'SameSite=Strict', 'Path=/']));
  });

  it('answers 429 once an address has failed too often, even with a good key', async () => {
    const codes: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await request(t.url)
        .post('/v1/console/session')
        .send({ api_key: `sbk_a_${String(i).repeat(43)}` });
      codes.push(res.body.code as string);
    }
    expect(codes.slice(0, 2)).toEqual(['invalid_api_key', 'invalid_api_key']);
    expect(codes.slice(-1)).toEqual(['rate_limited']);
    const good = await request(t.url).post('/v1/console/session').send({ api_key: t.adminKey });
    expect([good.status, good.body.code]).toEqual([429, 'rate_limited']);
    expect(good.headers['retry-after']).toBeDefined();
  });
});
