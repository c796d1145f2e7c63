import { Client } from 'pg';
import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-app';
import { pollUntil } from './utils/poll-until';

/**
 * Exports and verifications hold a connection for as long as their data lasts, so they take it
 * from a pool of their own (docs/architecture.md#long-reads). Here both pools have two
 * connections; the long reads are held open by a lock on audit_checkpoints (a verification reads
 * it, nothing on the path of a request does), and the app keeps answering the requests that
 * need its own pool while they wait.
 */
describe('long reads (exports, verifications) on their own pool', () => {
  let t: TestApp;
  let blocker: Client | undefined;
  const admin = () => ({ Authorization: `Bearer ${t.adminKey}` });

  const verify = () => request(t.url).get('/v1/audit-events/verify').set(admin());
  const exportCsv = () => request(t.url).get('/v1/audit-events/export').query({ format: 'csv' }).set(admin());

  /** The application names of the broker's backends waiting on the test's lock. */
  const blockedReads = async () =>
    (
      await t.db.query<{ application_name: string }>(
        `SELECT application_name FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
      )
    ).map((row) => row.application_name);
  const twoBlocked = async () => {
    const names = await pollUntil(blockedReads, (found) => found.length === 2);
    expect(names).toHaveLength(2);
    return names;
  };

  async function holdCheckpointsLock(): Promise<void> {
    blocker = new Client({ connectionString: t.db.ownerUrl });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE audit_checkpoints IN ACCESS EXCLUSIVE MODE');
  }

  async function releaseCheckpointsLock(): Promise<void> {
    await blocker!.query('COMMIT');
    await blocker!.end();
    blocker = undefined;
  }

  beforeAll(async () => {
    t = await createTestApp({ env: { DATABASE_POOL_SIZE: '2', DATABASE_LONG_READ_POOL_SIZE: '2' } });
    await request(t.url).post('/v1/tenants').set(admin()).send({ name: 'Long Reads' }).expect(201);
  });
  // A failed test may leave the lock held: the long reads it blocks would hold up what follows.
  afterEach(async () => {
    if (blocker) await releaseCheckpointsLock().catch(() => undefined);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('serves requests on the app pool while every long-read connection is held, and refuses a third long read with 503 audit_reads_busy', async () => {
    await holdCheckpointsLock();
    const held = [verify(), verify()].map((r) => r.then((res) => res));
    const names = await twoBlocked();

    // Both connections of the app's pool are free for what a portal or an admin does meanwhile:
    // four writes at once, each with its audit event, on a pool of two.
    const writes = await Promise.all(
      [1, 2, 3, 4].map((i) =>
        request(t.url)
          .post('/v1/tenants')
          .set(admin())
          .send({ name: `Meanwhile ${i}` }),
      ),
    );
    expect(writes.map((res) => res.status)).toEqual([201, 201, 201, 201]);
    // Named apart from the app's pool, so that an operator sees them apart in pg_stat_activity.
    expect(names).toEqual(['sso-broker-long-read', 'sso-broker-long-read']);
    const metrics = (await request(t.url).get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^db_long_read_pool_total_connections 2$/m);
    expect(metrics).toMatch(/^db_long_read_pool_idle_connections 0$/m);

    // A third long read waits for a connection, then is refused: nothing read, retry later.
    const started = Date.now();
    const refused = await exportCsv();
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_500);
    expect(refused.status).toBe(503);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.body).toMatchObject({ code: 'audit_reads_busy', status: 503 });
    expect(refused.body.request_id).toBe(refused.headers['x-request-id']);

    await releaseCheckpointsLock();
    for (const res of await Promise.all(held)) {
      expect(res.status).toBe(200);
      expect(res.body.ok).toBe(true);
    }
  }, 30_000);

  it('hands a freed connection to the long read waiting for one', async () => {
    await holdCheckpointsLock();
    const held = [verify(), verify()].map((r) => r.then((res) => res));
    await twoBlocked();
    const waiting = exportCsv().then((res) => res);
    await pollUntil(
      async () => (await request(t.url).get('/metrics')).text,
      (text) => /^db_long_read_pool_waiting_clients 1$/m.test(text),
    );
    await releaseCheckpointsLock();
    const [first, second] = await Promise.all(held);
    expect([first.status, second.status]).toEqual([200, 200]);
    const exported = await waiting;
    expect(exported.status).toBe(200);
    expect(exported.text).toContain('tenant.created');
  }, 30_000);
});
