import { FlussonicSimulator, startFlussonicSimulator } from '@app/flussonic-simulator';
import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-app';

describe('launch links: one winner across broker instances', () => {
  let first: TestApp;
  let second: TestApp;
  let flussonic: FlussonicSimulator;

  beforeAll(async () => {
    [first, flussonic] = await Promise.all([
      createTestApp(),
      startFlussonicSimulator({ apiKey: 'watcher-key', users: [{ login: 'viewer' }] }),
    ]);
    second = await createTestApp({
      db: first.db,
      env: { BROKER_MASTER_KEYS: first.env.BROKER_MASTER_KEYS, BROKER_BOOTSTRAP_ADMIN_KEY: first.adminKey },
    });
  });

  afterAll(async () => {
    await second?.close();
    await Promise.all([first?.close(), flussonic?.close()]);
  });

  it('50 concurrent redemptions (POST) over 2 instances on one database, among 20 page views (GET) → exactly 1 success and 49 × 410', async () => {
    const admin = { Authorization: `Bearer ${first.adminKey}` };
    const tenantId = (await request(first.url).post('/v1/tenants').set(admin).send({ name: 'Race' })).body.id;
    await request(first.url)
      .post(`/v1/tenants/${tenantId}/connections`)
      .set(admin)
      .send({
        name: 'watcher',
        provider: 'flussonic',
        base_url: flussonic.url,
        settings: {},
        credentials: { api_key: 'watcher-key' },
      })
      .expect(201);
    const link = await request(second.url)
      .post('/v1/login-links')
      .set(admin)
      .send({ tenant_id: tenantId, connection: 'watcher', user: { login: 'viewer' }, delivery: 'launch' });
    expect(link.status).toBe(201);
    const path = new URL(link.body.url).pathname;

    const instance = (i: number) => (i % 2 === 0 ? first.url : second.url);
    const [answers, views] = await Promise.all([
      Promise.all(Array.from({ length: 50 }, (_, i) => request(instance(i)).post(path).type('form').send(''))),
      Promise.all(Array.from({ length: 20 }, (_, i) => request(instance(i)).get(path))),
    ]);
    // A view shows the continue page until the link is spent, then the 410 page; it never redeems.
    expect(views.every((v) => v.status === 200 || v.status === 410)).toBe(true);
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 410)).toHaveLength(49);
    expect(flussonic.counters.autologinTokensMinted).toBe(1);

    const events = await first.db.query<{ action: string; n: string }>(
      `SELECT action, count(*) AS n FROM audit_events WHERE link_id = $1 GROUP BY action`,
      [link.body.id],
    );
    expect(Object.fromEntries(events.map((e) => [e.action, Number(e.n)]))).toEqual({
      'login_link.issued': 1,
      'login_link.redeemed': 1,
      'login_link.redeem_rejected': 49,
    });
  });
});
