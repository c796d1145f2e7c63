import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acronisOptionsFromEnv, AcronisSimulator, startAcronisSimulator } from '@app/acronis-simulator';
import { freePort } from '@app/database';
import request from 'supertest';
import { BrokerProcess, startBrokerProcess } from './utils/broker-process';
import { newAdminKeyText, newMasterKeyEntry } from './utils/create-app';
import { pollUntil } from './utils/poll-until';
import { createTestDatabase, TestDatabase } from './utils/test-database';

// Real delays: the grace period and a slow upstream are the behaviour under test, in another process
// on the real clock. The test itself never sleeps; it waits for the events it depends on.
const GRACE_MS = 3000;
const SLOW_UPSTREAM_MS = 4000; // beyond the grace period, within the 5 s upstream deadline

/**
 * SIGTERM as an orchestrator sends it, to the built server: readiness turns 503 at once, the
 * instance keeps serving through SHUTDOWN_GRACE_MS, a request in flight still gets its link (and
 * its audit event), then the process exits 0.
 */
describe('graceful shutdown', () => {
  let db: TestDatabase;
  let acronis: AcronisSimulator;
  let broker: BrokerProcess | undefined;

  beforeAll(async () => {
    [db, acronis] = await Promise.all([
      createTestDatabase(),
      startAcronisSimulator({ ...acronisOptionsFromEnv({}), port: 0 }),
    ]);
  });
  afterAll(async () => {
    if (broker?.child.exitCode === null) broker.child.kill('SIGKILL');
    await Promise.all([acronis?.close(), db?.drop()]);
  });

  it('answers readiness 503 from SIGTERM on, keeps serving through the grace period, finishes in-flight links, exits 0', async () => {
    const adminKey = newAdminKeyText();
    broker = await startBrokerProcess({
      DATABASE_URL: db.appUrl,
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'sso-broker-shutdown-')),
      BROKER_MASTER_KEYS: newMasterKeyEntry(),
      BROKER_BOOTSTRAP_ADMIN_KEY: adminKey,
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
    });
    const url = broker.url;
    const admin = { Authorization: `Bearer ${adminKey}` };
    const tenantId = (await request(url).post('/v1/tenants').set(admin).send({ name: 'Shutdown' }).expect(201)).body.id;
    await request(url)
      .post(`/v1/tenants/${tenantId}/connections`)
      .set(admin)
      .send({
        name: 'acronis',
        provider: 'acronis',
        base_url: acronis.url,
        settings: { allowed_target_uris: [] },
        credentials: { client_id: 'demo-client', client_secret: 'demo-secret' },
      })
      .expect(201);
    const portal = {
      Authorization: `Bearer ${(await request(url).post('/v1/api-keys').set(admin).send({ name: 'p', role: 'portal', tenant_id: tenantId }).expect(201)).body.key}`,
    };
    const issue = () =>
      request(url)
        .post('/v1/login-links')
        .set(portal)
        .send({ connection: 'acronis', user: { login: 'alice@customer-a.example' } });
    expect((await issue()).status).toBe(201); // warms the token cache
    expect((await request(url).get('/health/ready')).status).toBe(200);

    const faultsBefore = acronis.counters.faultsApplied;
    acronis.faults.set({ latencyMs: SLOW_UPSTREAM_MS, path: '/api/2/idp/ott', times: 1 });
    const inFlight = issue();
    inFlight.then(
      () => undefined,
      () => undefined,
    ); // supertest sends on then()
    // In flight once the upstream holds it: the simulator has taken the slow fault for it.
    const taken = await pollUntil(
      () => acronis.counters.faultsApplied,
      (n) => n > faultsBefore,
    );
    expect(taken).toBe(faultsBefore + 1);
    const exited = broker.stop('SIGTERM');
    // Logged in the same synchronous step that marks the instance draining.
    await broker.waitForOutput('readiness 503');

    const ready = await request(url).get('/health/ready');
    expect([ready.status, ready.body.error]).toEqual([
      503,
      { shutdown: { status: 'down', message: expect.stringContaining('draining') } },
    ]);
    expect((await request(url).get('/health/live')).status).toBe(200);
    expect((await issue()).status).toBe(201); // still serving inside the grace period

    const slow = await inFlight;
    expect(slow.status).toBe(201);
    expect(slow.body.url).toEqual(expect.stringContaining('#ott='));
    expect(await exited).toBe(0);
    expect(broker.output()).toContain('readiness 503');
    const [{ n }] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'login_link.issued'`,
    );
    expect(n).toBe(3);
  }, 60_000);
});
