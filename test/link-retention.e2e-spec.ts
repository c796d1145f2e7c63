import { ExpiredLinkRecordsJanitor } from '@app/links';
import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-app';

/**
 * Expired working state is purged (as the least-privilege runtime role the app connects with):
 * link records RETENTION hours after they expire, Idempotency-Key replays when their window ends.
 * The audit log keeps every event.
 */
describe('purge of expired link records', () => {
  let t: TestApp;
  let tenantId: string;
  const admin = () => ({ Authorization: `Bearer ${t.adminKey}` });

  const launchLink = async (idempotencyKey?: string) => {
    const req = request(t.url).post('/v1/login-links').set(admin());
    if (idempotencyKey) req.set('Idempotency-Key', idempotencyKey);
    const res = await req.send({
      tenant_id: tenantId,
      connection: 'watcher',
      user: { login: 'viewer' },
      delivery: 'launch',
    });
    expect([res.status, res.body.errors ?? res.body.code]).toEqual([201, undefined]);
    return { id: res.body.id as string, path: new URL(res.body.url).pathname };
  };
  const age = (id: string, interval: string) =>
    t.db.query(`UPDATE login_links SET expires_at = now() - $2::interval WHERE id = $1`, [id, interval]);
  const linkIds = async () =>
    (await t.db.query<{ id: string }>('SELECT id FROM login_links ORDER BY id')).map((r) => r.id);
  const rejection = async (path: string) => {
    expect((await request(t.url).post(path).type('form').send('')).status).toBe(410);
    const [event] = await t.db.query<{ error_code: string; tenant_id: string | null }>(
      `SELECT error_code, tenant_id FROM audit_events WHERE action = 'login_link.redeem_rejected' ORDER BY occurred_at DESC, seq DESC LIMIT 1`,
    );
    return event;
  };

  beforeAll(async () => {
    t = await createTestApp({ env: { LINK_PURGE_INTERVAL_SECONDS: '0', LINK_RECORD_RETENTION_HOURS: '1' } });
    tenantId = (await request(t.url).post('/v1/tenants').set(admin()).send({ name: 'Retention' })).body.id;
    await request(t.url)
      .post(`/v1/tenants/${tenantId}/connections`)
      .set(admin())
      .send({
        name: 'watcher',
        provider: 'flussonic',
        base_url: 'https://watcher.example.com',
        credentials: { api_key: 'watcher-key' },
      })
      .expect(201);
  });
  afterAll(async () => t?.close());

  it('deletes link records past expiry + retention and finished Idempotency-Key windows, nothing else, and keeps the audit log', async () => {
    const longGone = await launchLink('retention-replay-0001');
    const alsoGone = await launchLink();
    const recentlyExpired = await launchLink();
    const live = await launchLink('retention-replay-0002');
    await age(longGone.id, '2 hours');
    await age(alsoGone.id, '90 minutes');
    await age(recentlyExpired.id, '30 minutes');
    await t.db.query(
      `UPDATE login_link_idempotency SET expires_at = now() - interval '1 second' WHERE expires_at = (SELECT min(expires_at) FROM login_link_idempotency)`,
    );
    const issuedEvents = async () =>
      (
        await t.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM audit_events WHERE action = 'login_link.issued'`,
        )
      )[0].n;
    expect(await issuedEvents()).toBe(4);

    const janitor = t.app.get(ExpiredLinkRecordsJanitor);
    expect(await janitor.purge()).toEqual({ login_links: 2, idempotency_replays: 1 });
    expect(await linkIds()).toEqual([recentlyExpired.id, live.id].sort());
    expect(await t.db.query('SELECT count(*)::int AS n FROM login_link_idempotency')).toEqual([{ n: 1 }]);
    expect(await issuedEvents()).toBe(4);
    expect(await janitor.purge()).toEqual({ login_links: 0, idempotency_replays: 0 });

    // Within retention a late attempt is still attributed to its tenant as expired; after it, unknown.
    expect(await rejection(recentlyExpired.path)).toEqual({ error_code: 'launch_link_expired', tenant_id: tenantId });
    expect(await rejection(longGone.path)).toEqual({ error_code: 'launch_link_unknown', tenant_id: null });

    const metrics = (await request(t.url).get('/metrics')).text;
    expect(metrics).toContain('login_link_records_purged_total{table="login_links"}');
  });

  it('works off a backlog larger than one batch, and runs on its own schedule', async () => {
    await t.db.query(
      `INSERT INTO login_links (tenant_id, connection_id, provider, delivery, subject, expires_at)
       SELECT $1, gen_random_uuid(), 'flussonic', 'direct', '{"login":"x"}', now() - interval '3 hours' FROM generate_series(1, 2500)`,
      [tenantId],
    );
    expect(await t.app.get(ExpiredLinkRecordsJanitor).purge()).toEqual({ login_links: 2500, idempotency_replays: 0 });

    const scheduled = await createTestApp({
      db: t.db,
      env: {
        LINK_PURGE_INTERVAL_SECONDS: '1',
        LINK_RECORD_RETENTION_HOURS: '0',
        BROKER_MASTER_KEYS: t.env.BROKER_MASTER_KEYS,
        BROKER_BOOTSTRAP_ADMIN_KEY: t.adminKey,
      },
    });
    try {
      const { id } = await launchLink();
      await age(id, '1 second');
      const deadline = Date.now() + 10_000;
      while ((await linkIds()).includes(id) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await linkIds()).not.toContain(id);
    } finally {
      await scheduled.app.close();
    }
  });
});
