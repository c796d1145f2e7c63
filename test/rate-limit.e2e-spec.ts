import request from 'supertest';
import { PostgresThrottlerStorage } from '@app/rate-limit';
import { createTestApp, TestApp } from './utils/create-app';

const LIMITS = {
  RATE_LIMIT_PER_KEY_PER_MINUTE: '4',
  RATE_LIMIT_PER_TENANT_PER_MINUTE: '1000',
  RATE_LIMIT_PER_IP_PER_MINUTE: '1',
};

describe('rate limits shared across instances', () => {
  let a: TestApp;
  let b: TestApp;
  const asAdmin = () => ({ Authorization: `Bearer ${a.adminKey}` });

  beforeAll(async () => {
    a = await createTestApp({ env: LIMITS });
    b = await createTestApp({
      db: a.db,
      env: { ...LIMITS, BROKER_MASTER_KEYS: a.env.BROKER_MASTER_KEYS, BROKER_BOOTSTRAP_ADMIN_KEY: a.adminKey },
    });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('charges the API key (so it runs after authentication) and shares the budget between instances', async () => {
    // The per-IP budget is 1: if the limiter ran before authentication, the second call would be refused as an IP.
    for (const t of [a, b, a, b]) expect((await request(t.url).get('/v1/tenants').set(asAdmin())).status).toBe(200);
    const refused = await request(b.url).get('/v1/tenants').set(asAdmin());
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({
      status: 429,
      code: 'rate_limited',
      type: 'urn:sso-broker:problem:rate_limited',
    });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await request(a.url).get('/v1/tenants').set(asAdmin())).status).toBe(429);
  });

  it('limits callers without an API key per IP on public routes', async () => {
    expect((await request(a.url).get('/l/unknown-launch-token')).status).toBe(410);
    const refused = await request(b.url).get('/l/another-unknown-token');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('never lets more hits through than the limit when instances race', async () => {
    const stores = [
      a.app.get(PostgresThrottlerStorage, { strict: false }),
      b.app.get(PostgresThrottlerStorage, { strict: false }),
    ];
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => stores[i % 2].increment('test:race', 60_000, 25, 0)),
    );
    expect(results.map((r) => r.totalHits).sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(results.filter((r) => !r.isBlocked)).toHaveLength(25);
    expect(results.filter((r) => r.isBlocked).every((r) => r.timeToBlockExpire >= 1)).toBe(true);
  });

  it('charges key and tenant in one statement, skipping the tenant once the key is over its own budget', async () => {
    const store = a.app.get(PostgresThrottlerStorage, { strict: false });
    const charges = [
      { key: 'test:one-key', ttl: 60_000, limit: 1, blockDuration: 0 },
      { key: 'test:one-tenant', ttl: 60_000, limit: 100, blockDuration: 0 },
    ];
    expect((await store.chargeInOrder(charges)).map((r) => [r.totalHits, r.isBlocked])).toEqual([
      [1, false],
      [1, false],
    ]);
    const refused = await store.chargeInOrder(charges);
    expect(refused.map((r) => [r.totalHits, r.isBlocked])).toEqual([[2, true]]);
    const rows = await a.db.query<{ key: string; hits: number }>(
      `SELECT key, hits FROM rate_limit_buckets WHERE key LIKE 'test:one-%' ORDER BY key`,
    );
    expect(rows).toEqual([
      { key: 'test:one-key', hits: 2 },
      { key: 'test:one-tenant', hits: 1 },
    ]);
  });

  it('keeps key and tenant budgets exact when paired charges race on two instances', async () => {
    const stores = [
      a.app.get(PostgresThrottlerStorage, { strict: false }),
      b.app.get(PostgresThrottlerStorage, { strict: false }),
    ];
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        stores[i % 2].chargeInOrder([
          { key: `test:pair-key-${i % 3}`, ttl: 60_000, limit: 1000, blockDuration: 0 },
          { key: 'test:pair-tenant', ttl: 60_000, limit: 25, blockDuration: 0 },
        ]),
      ),
    );
    const tenantHits = results.map((r) => r[1].totalHits).sort((x, y) => x - y);
    expect(tenantHits).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(results.filter((r) => !r[1].isBlocked)).toHaveLength(25);
  });

  it('starts a new window once the old one has ended', async () => {
    const store = a.app.get(PostgresThrottlerStorage, { strict: false });
    await store.increment('test:window', 60_000, 1, 0);
    expect((await store.increment('test:window', 60_000, 1, 0)).isBlocked).toBe(true);
    await a.db.query(
      `UPDATE rate_limit_buckets SET window_ends_at = now() - interval '1 second', blocked_until = now() - interval '1 second' WHERE key = 'test:window'`,
    );
    expect(await store.increment('test:window', 60_000, 1, 0)).toMatchObject({ totalHits: 1, isBlocked: false });
    await store.removeExpired();
    await a.db.query(
      `UPDATE rate_limit_buckets SET window_ends_at = now() - interval '1 second', blocked_until = NULL WHERE key = 'test:window'`,
    );
    await store.removeExpired();
    expect(await a.db.query(`SELECT key FROM rate_limit_buckets WHERE key = 'test:window'`)).toEqual([]);
  });
});

describe('per-tenant rate limits', () => {
  let a: TestApp;
  let b: TestApp;
  const env = {
    RATE_LIMIT_PER_KEY_PER_MINUTE: '100',
    RATE_LIMIT_PER_TENANT_PER_MINUTE: '100',
    RATE_LIMIT_PER_IP_PER_MINUTE: '100',
  };

  beforeAll(async () => {
    a = await createTestApp({ env });
    b = await createTestApp({
      db: a.db,
      env: { ...env, BROKER_MASTER_KEYS: a.env.BROKER_MASTER_KEYS, BROKER_BOOTSTRAP_ADMIN_KEY: a.adminKey },
    });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it("applies a tenant's own limit to all of its keys together, set with PATCH /v1/tenants/:id", async () => {
    const admin = { Authorization: `Bearer ${a.adminKey}` };
    const tenant = async (name: string) =>
      (await request(a.url).post('/v1/tenants').set(admin).send({ name })).body.id as string;
    const portalKey = async (tenantId: string) =>
      (
        await request(a.url)
          .post('/v1/api-keys')
          .set(admin)
          .send({ name: 'portal', role: 'portal', tenant_id: tenantId })
      ).body.key as string;
    const limited = await tenant('Limited Tenant');
    const other = await tenant('Other Tenant');
    const patched = await request(a.url).patch(`/v1/tenants/${limited}`).set(admin).send({ rate_limit_per_minute: 2 });
    expect(patched.status).toBe(200);
    expect(patched.body.rate_limit_per_minute).toBe(2);
    expect(
      (await request(a.url).patch(`/v1/tenants/${limited}`).set(admin).send({ rate_limit_per_minute: 0 })).status,
    ).toBe(400);
    const [first, second, outsider] = [await portalKey(limited), await portalKey(limited), await portalKey(other)];
    // Every request costs budget; on this route the charge rides on the link-target read, so a
    // well-formed request for a connection that does not exist is charged before its 404.
    const issue = (key: string, t: TestApp) =>
      request(t.url)
        .post('/v1/login-links')
        .set({ Authorization: `Bearer ${key}` })
        .send({ connection: 'no-such-connection', user: { login: 'someone' } });
    expect((await issue(first, a)).status).toBe(404);
    expect((await issue(second, b)).status).toBe(404);
    const refused = await issue(first, b);
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await issue(second, a)).status).toBe(429);
    expect((await issue(outsider, a)).status).toBe(404);
  });
});

describe('the deferred charge of POST /v1/login-links', () => {
  let app: TestApp;
  let key: string;
  let keyId: string;
  const env = {
    RATE_LIMIT_PER_KEY_PER_MINUTE: '2',
    RATE_LIMIT_PER_TENANT_PER_MINUTE: '100',
    RATE_LIMIT_PER_IP_PER_MINUTE: '100',
  };
  const wellFormed = { connection: 'no-such-connection', user: { login: 'someone' } };
  const issue = (body: object, headers: Record<string, string> = {}) =>
    request(app.url)
      .post('/v1/login-links')
      .set({ Authorization: `Bearer ${key}`, ...headers })
      .send(body);
  const keyHits = async () =>
    (await app.db.query<{ hits: number }>(`SELECT hits FROM rate_limit_buckets WHERE key = 'key:' || $1`, [keyId]))[0]
      ?.hits ?? 0;

  beforeEach(async () => {
    app = await createTestApp({ env });
    const admin = { Authorization: `Bearer ${app.adminKey}` };
    const tenantId = (await request(app.url).post('/v1/tenants').set(admin).send({ name: 'Charged' })).body
      .id as string;
    const created = await request(app.url)
      .post('/v1/api-keys')
      .set(admin)
      .send({ name: 'portal', role: 'portal', tenant_id: tenantId });
    [key, keyId] = [created.body.key as string, created.body.id as string];
  });
  afterEach(async () => {
    await app?.close();
  });

  it('charges a request refused by validation once its 400 is sent', async () => {
    expect((await issue({})).status).toBe(400);
    expect((await issue({ connection: 'x' })).status).toBe(400);
    // Charged after the answer: wait for both charges to land.
    for (let i = 0; i < 50 && (await keyHits()) < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await keyHits()).toBe(2);
    expect((await issue(wellFormed)).status).toBe(429);
  });

  it('charges each request once, in the link-target read', async () => {
    expect((await issue(wellFormed)).status).toBe(404);
    expect(await keyHits()).toBe(1);
    expect((await issue(wellFormed)).status).toBe(404);
    expect((await issue(wellFormed)).status).toBe(429);
    await new Promise((r) => setTimeout(r, 100)); // a late charge, if any, would land by now
    expect(await keyHits()).toBe(3);
  });

  it('with an Idempotency-Key, refuses a spent budget before the key is looked at', async () => {
    const idempotent = { 'Idempotency-Key': 'deferred-charge-0001' };
    expect((await issue(wellFormed, idempotent)).status).toBe(404);
    expect((await issue({ ...wellFormed }, { 'Idempotency-Key': 'too-short' })).status).toBe(400);
    const refused = await issue(wellFormed, idempotent);
    expect(refused.status).toBe(429);
    expect(await keyHits()).toBe(3);
  });
});
