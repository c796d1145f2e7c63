import { FlussonicSimulator, startFlussonicSimulator } from '@app/flussonic-simulator';
import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-app';

const ALICE = 'alice@customer-a.example';
const BOB = 'bob@customer-a.example';
const USERS = [ALICE, BOB, 'admin', 'carol@customer-a.example', 'dave@customer-a.example'];

/** Issue 12: who may get a link (policy), for how long (tenant ceiling), and taking links back. */
describe('issuance policy, launch-expiry ceiling, revocation and link status', () => {
  let t: TestApp;
  let flussonic: FlussonicSimulator;
  let tenantId: string;
  let portalKey: string;
  let otherPortalKey: string;
  let connectionId: string;

  const admin = () => ({ Authorization: `Bearer ${t.adminKey}` });
  const portal = () => ({ Authorization: `Bearer ${portalKey}` });
  const issue = (body: Record<string, unknown>) =>
    request(t.url)
      .post('/v1/login-links')
      .set(portal())
      .send({ connection: 'flu', ...body });
  const setPolicy = (policy: unknown) =>
    request(t.url).patch(`/v1/tenants/${tenantId}/connections/${connectionId}`).set(admin()).send({ policy });
  const lastEvent = async (action: string) =>
    (
      await t.db.query<{
        outcome: string;
        error_code: string | null;
        subject_login: string | null;
        metadata: Record<string, unknown>;
      }>(
        `SELECT outcome, error_code, subject_login, metadata FROM audit_events WHERE tenant_id = $1 AND action = $2 ORDER BY seq DESC LIMIT 1`,
        [tenantId, action],
      )
    )[0];

  beforeAll(async () => {
    [t, flussonic] = await Promise.all([
      createTestApp(),
      startFlussonicSimulator({ apiKey: 'watcher-key', users: USERS.map((login) => ({ login })) }),
    ]);
    const tenant = async (name: string) =>
      (await request(t.url).post('/v1/tenants').set(admin()).send({ name })).body.id;
    tenantId = await tenant('Customer A');
    const other = await tenant('Customer B');
    const key = async (tenant: string) =>
      (
        await request(t.url)
          .post('/v1/api-keys')
          .set(admin())
          .send({ name: 'portal', role: 'portal', tenant_id: tenant })
      ).body.key;
    [portalKey, otherPortalKey] = [await key(tenantId), await key(other)];
    connectionId = (
      await request(t.url)
        .post(`/v1/tenants/${tenantId}/connections`)
        .set(admin())
        .send({
          name: 'flu',
          provider: 'flussonic',
          base_url: flussonic.url,
          credentials: { api_key: 'watcher-key' },
          policy: { subjects: { allow: { logins: ['*@customer-a.example'] } } },
        })
        .expect(201)
    ).body.id;
  });

  afterAll(async () => {
    await Promise.all([t?.close(), flussonic?.close()]);
  });

  it('refuses a subject outside allow (the Watcher admin) with 403 subject_not_allowed before any upstream call, audited', async () => {
    const minted = flussonic.counters.autologinTokensMinted;
    const refused = await issue({ user: { login: 'admin' } });
    expect([refused.status, refused.body.code]).toEqual([403, 'subject_not_allowed']);
    expect(flussonic.counters.autologinTokensMinted).toBe(minted);
    expect(await lastEvent('login_link.failed')).toMatchObject({
      outcome: 'failure',
      error_code: 'subject_not_allowed',
      subject_login: 'admin',
      metadata: { stage: 'issue', status: 403, rule: 'allow', delivery: 'direct' },
    });
    expect((await issue({ user: { login: ALICE } })).status).toBe(201);
    // Globs are case-insensitive (a launch link: the simulated Watcher's own lookup is case-sensitive).
    expect((await issue({ user: { login: 'ALICE@Customer-A.example' }, delivery: 'launch' })).status).toBe(201);
    // Launch links too, and no link record is left behind.
    expect((await issue({ user: { login: 'admin' }, delivery: 'launch' })).status).toBe(403);
    const [{ n }] = await t.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM login_links WHERE subject->>'login' = 'admin'`,
    );
    expect(n).toBe('0');
  });

  it('lets deny win over allow, and a connection without allow allows all (user_id / external_id lists: unit issuance-policy.spec.ts)', async () => {
    await setPolicy({
      subjects: { allow: { logins: ['*@customer-a.example'] }, deny: { logins: ['bob@*'] } },
    }).expect(200);
    expect((await issue({ user: { login: BOB } })).body.code).toBe('subject_not_allowed');
    expect((await lastEvent('login_link.failed')).metadata.rule).toBe('deny');
    expect((await issue({ user: { login: ALICE } })).status).toBe(201);
    await setPolicy({ subjects: { deny: { logins: ['admin'] } } }).expect(200);
    expect((await issue({ user: { login: 'carol@customer-a.example' } })).status).toBe(201);
    expect((await issue({ user: { login: 'Admin' } })).status).toBe(403);
    await setPolicy(null).expect(200);
    expect((await issue({ user: { login: 'admin' } })).status).toBe(201);
    await setPolicy({ subjects: { allow: { logins: ['*@customer-a.example'] } } }).expect(200);
  });

  it('validates the policy with its DTOs and records before/after of a change', async () => {
    for (const policy of [
      { subjects: { allow: { logins: 'alice' } } },
      { subjects: { allow: { emails: ['x'] } } },
      { require_reason: 'yes' },
      { max_links_per_subject_per_hour: 0 },
      { unknown: true },
      [],
    ]) {
      const res = await setPolicy(policy);
      expect([JSON.stringify(policy), res.status, res.body.code]).toEqual([
        JSON.stringify(policy),
        400,
        'validation_failed',
      ]);
    }
    const policy = {
      subjects: { allow: { logins: ['*@customer-a.example'], user_ids: ['u-1'] } },
      require_reason: false,
    };
    const res = await setPolicy(policy);
    expect(res.body.policy).toEqual(policy);
    expect((await lastEvent('connection.updated')).metadata).toEqual({
      changed: ['policy'],
      before: { policy: { subjects: { allow: { logins: ['*@customer-a.example'] } } } },
      after: { policy },
    });
    await setPolicy({ subjects: { allow: { logins: ['*@customer-a.example'] } } }).expect(200);
  });

  it('require_reason: 400 reason_required without one; the reason lands in the audit event', async () => {
    await setPolicy({ subjects: { allow: { logins: ['*@customer-a.example'] } }, require_reason: true }).expect(200);
    try {
      const missing = await issue({ user: { login: ALICE } });
      expect([missing.status, missing.body.code]).toEqual([400, 'reason_required']);
      expect((await issue({ user: { login: ALICE }, reason: '' })).body.code).toBe('validation_failed');
      expect((await issue({ user: { login: ALICE }, reason: 'x'.repeat(501) })).body.code).toBe('validation_failed');
      const ok = await issue({ user: { login: ALICE }, reason: 'TICKET-4711', delivery: 'launch' });
      expect(ok.status).toBe(201);
      expect((await lastEvent('login_link.issued')).metadata).toMatchObject({
        reason: 'TICKET-4711',
        delivery: 'launch',
      });
    } finally {
      await setPolicy({ subjects: { allow: { logins: ['*@customer-a.example'] } } }).expect(200);
    }
  });

  it('max_links_per_subject_per_hour: 429 subject_rate_limited with Retry-After, per subject, counted in the shared store without the login', async () => {
    await setPolicy({ max_links_per_subject_per_hour: 2 }).expect(200);
    try {
      const dave = { login: 'dave@customer-a.example' };
      expect((await issue({ user: dave })).status).toBe(201);
      expect((await issue({ user: { login: 'DAVE@customer-a.example' }, delivery: 'launch' })).status).toBe(201);
      const limited = await issue({ user: dave });
      expect([limited.status, limited.body.code]).toEqual([429, 'subject_rate_limited']);
      const retryAfter = Number(limited.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(3000);
      expect(retryAfter).toBeLessThanOrEqual(3600);
      expect(await lastEvent('login_link.failed')).toMatchObject({
        error_code: 'subject_rate_limited',
        subject_login: dave.login,
      });
      expect((await issue({ user: { login: 'carol@customer-a.example' } })).status).toBe(201);
      const keys = await t.db.query<{ key: string }>(`SELECT key FROM rate_limit_buckets WHERE key LIKE 'subject:%'`);
      expect(keys.length).toBeGreaterThanOrEqual(2);
      expect(keys.map((k) => k.key).join()).not.toContain('dave');
    } finally {
      await setPolicy({ subjects: { allow: { logins: ['*@customer-a.example'] } } }).expect(200);
    }
  });

  it("max_launch_expires_in: a longer request is refused, a longer default is shortened to the tenant's ceiling", async () => {
    const tenantUrl = `/v1/tenants/${tenantId}`;
    const connectionUrl = `${tenantUrl}/connections/${connectionId}`;
    expect((await request(t.url).patch(tenantUrl).set(admin()).send({ max_launch_expires_in: 10 })).status).toBe(400);
    const patched = await request(t.url).patch(tenantUrl).set(admin()).send({ max_launch_expires_in: 600 });
    expect(patched.body.max_launch_expires_in).toBe(600);
    await request(t.url).patch(connectionUrl).set(admin()).send({ launch_expires_in: 3600 }).expect(200);
    try {
      const lifetime = (body: { expires_at: string }) => Math.round((Date.parse(body.expires_at) - Date.now()) / 1000);
      const tooLong = await issue({ user: { login: ALICE }, delivery: 'launch', expires_in: 601 });
      expect([tooLong.status, tooLong.body.code]).toEqual([400, 'launch_expiry_too_long']);
      const clamped = await issue({ user: { login: ALICE }, delivery: 'launch' });
      expect(lifetime(clamped.body)).toBeGreaterThan(590);
      expect(lifetime(clamped.body)).toBeLessThanOrEqual(600);
      expect(
        lifetime((await issue({ user: { login: ALICE }, delivery: 'launch', expires_in: 60 })).body),
      ).toBeLessThanOrEqual(60);
      // Direct links ignore expires_in, so the ceiling does not refuse them.
      expect((await issue({ user: { login: ALICE }, expires_in: 3600 })).status).toBe(201);
    } finally {
      await request(t.url).patch(tenantUrl).set(admin()).send({ max_launch_expires_in: null }).expect(200);
      await request(t.url).patch(connectionUrl).set(admin()).send({ launch_expires_in: null }).expect(200);
    }
  });

  it('GET /v1/login-links/{id}: status and times for the portal of its tenant and admin, never the token or URL; 404 for another tenant', async () => {
    const launch = await issue({ user: { login: ALICE }, delivery: 'launch' });
    const url = `/v1/login-links/${launch.body.id}`;
    const status = async () => (await request(t.url).get(url).set(portal())).body;
    expect(await status()).toEqual({
      id: launch.body.id,
      tenant_id: tenantId,
      connection_id: connectionId,
      provider: 'flussonic',
      delivery: 'launch',
      user: { login: ALICE },
      status: 'issued',
      created_at: expect.any(String),
      expires_at: launch.body.expires_at,
      redeemed_at: null,
      revoked_at: null,
    });
    const raw = JSON.stringify(await request(t.url).get(url).set(portal()));
    expect(raw).not.toContain(new URL(launch.body.url).pathname.slice(3));
    expect((await request(t.url).get(url).set(admin())).body.code).toBe('tenant_id_required');
    expect((await request(t.url).get(`${url}?tenant_id=${tenantId}`).set(admin())).body.status).toBe('issued');
    const foreign = await request(t.url)
      .get(url)
      .set({ Authorization: `Bearer ${otherPortalKey}` });
    expect([foreign.status, foreign.body.code]).toEqual([404, 'login_link_not_found']);
    await request(t.url).post(new URL(launch.body.url).pathname).type('form').send('').expect(200);
    expect(await status()).toMatchObject({ status: 'redeemed', redeemed_at: expect.any(String) });
    const direct = await issue({ user: { login: ALICE } });
    expect((await request(t.url).get(`/v1/login-links/${direct.body.id}`).set(portal())).body).toMatchObject({
      delivery: 'direct',
      status: 'issued',
    });
    await t.db.query(`UPDATE login_links SET expires_at = now() - interval '1 second' WHERE id = $1`, [direct.body.id]);
    expect((await request(t.url).get(`/v1/login-links/${direct.body.id}`).set(portal())).body.status).toBe('expired');
    expect((await request(t.url).get('/v1/login-links/not-a-uuid').set(portal())).body.code).toBe('invalid_id');
  });

  it('DELETE /v1/login-links/{id}: revokes an outstanding launch link (then 410, audited), 404 for another tenant, 409 when not revocable', async () => {
    const link = await issue({ user: { login: ALICE }, delivery: 'launch' });
    const path = new URL(link.body.url).pathname;
    const url = `/v1/login-links/${link.body.id}`;
    const foreign = await request(t.url)
      .delete(url)
      .set({ Authorization: `Bearer ${otherPortalKey}` });
    expect([foreign.status, foreign.body.code]).toEqual([404, 'login_link_not_found']);
    await request(t.url).delete(url).set(portal()).expect(204);
    await request(t.url).delete(url).set(portal()).expect(204);
    expect((await request(t.url).get(url).set(portal())).body).toMatchObject({
      status: 'revoked',
      revoked_at: expect.any(String),
    });
    expect((await request(t.url).get(path)).status).toBe(410);
    expect((await request(t.url).post(path).type('form').send('')).status).toBe(410);
    const events = await t.db.query<{ action: string; metadata: Record<string, unknown> }>(
      `SELECT action, metadata FROM audit_events WHERE link_id = $1 ORDER BY seq`,
      [link.body.id],
    );
    expect(events.map((e) => e.action)).toEqual([
      'login_link.issued',
      'login_link.revoked',
      'login_link.redeem_rejected',
    ]);
    expect(events[1].metadata).toEqual({ revoked: 1, by: 'link' });

    const used = await issue({ user: { login: ALICE }, delivery: 'launch' });
    await request(t.url).post(new URL(used.body.url).pathname).type('form').send('').expect(200);
    const late = await request(t.url)
      .delete(`/v1/login-links/${used.body.id}`)
      .set(admin())
      .query({ tenant_id: tenantId });
    expect([late.status, late.body.code]).toEqual([409, 'login_link_not_revocable']);
    const direct = await issue({ user: { login: ALICE } });
    expect((await request(t.url).delete(`/v1/login-links/${direct.body.id}`).set(portal())).status).toBe(409);
  });

  it('POST /v1/tenants/{id}/login-links/revoke: admin revokes every outstanding launch link, or those of one connection or user; one event with the count', async () => {
    await request(t.url).post(`/v1/tenants/${tenantId}/login-links/revoke`).set(admin()).send({}).expect(200);
    const links = await Promise.all(
      [ALICE, ALICE, BOB, 'carol@customer-a.example'].map((login) => issue({ user: { login }, delivery: 'launch' })),
    );
    const paths = links.map((l) => new URL(l.body.url).pathname);
    const revoke = (body: object) =>
      request(t.url).post(`/v1/tenants/${tenantId}/login-links/revoke`).set(admin()).send(body);
    expect(
      (await request(t.url).post(`/v1/tenants/${tenantId}/login-links/revoke`).set(portal()).send({})).status,
    ).toBe(403);
    expect((await revoke({ user: { login: 'Alice@customer-a.example' } })).body).toEqual({ revoked: 2 });
    expect(await lastEvent('login_link.revoked')).toMatchObject({
      subject_login: 'Alice@customer-a.example',
      metadata: {
        revoked: 2,
        by: 'tenant',
        filter: { connection_id: null, user: { login: 'Alice@customer-a.example' } },
      },
    });
    expect((await revoke({ connection_id: '00000000-0000-4000-8000-000000000000' })).body).toEqual({ revoked: 0 });
    expect((await revoke({ connection_id: connectionId })).body).toEqual({ revoked: 2 });
    expect((await revoke({})).body).toEqual({ revoked: 0 });
    expect((await Promise.all(paths.map((p) => request(t.url).get(p)))).map((r) => r.status)).toEqual([
      410, 410, 410, 410,
    ]);
    expect((await revoke({ user: { login: ALICE, user_id: 'x' } })).body.code).toBe('validation_failed');
    expect(
      (
        await request(t.url)
          .post(`/v1/tenants/${'0'.repeat(8)}-0000-4000-8000-000000000000/login-links/revoke`)
          .set(admin())
          .send({})
      ).status,
    ).toBe(404);
  });
});
