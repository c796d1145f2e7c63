import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, TestApp } from '../utils/create-app';
import { createTestDatabase } from '../utils/test-database';
import { acronisTenant, UNLIMITED } from './fault-fixtures';
import { sleep, startLinkLoad } from './load-client';
import { PostgresProcess } from './postgres-process';

const OUTAGE_MS = Number(process.env.FAULT_DB_OUTAGE_MS ?? 3000);

/**
 * PostgreSQL stopped and started again under load, on a server of this test's own (the machine's
 * and the other test files' servers are not touched): the broker must recover by itself, and
 * every link the client received must have its committed login_link.issued event.
 */
describe('PostgreSQL restarted under load', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sso-fault-pg-'));
  let pg: PostgresProcess;
  let t: TestApp;

  beforeAll(async () => {
    pg = await PostgresProcess.start(dataDir);
    const previousAdminUrl = process.env.SSO_TEST_ADMIN_URL;
    process.env.SSO_TEST_ADMIN_URL = pg.url;
    try {
      t = await createTestApp({ db: await createTestDatabase(), env: UNLIMITED });
    } finally {
      process.env.SSO_TEST_ADMIN_URL = previousAdminUrl;
    }
  }, 120_000);
  afterAll(async () => {
    await t?.app.close();
    await pg?.stop();
  });

  it('recovers by itself; links received == login_link.issued events; no 500', async () => {
    const fixture = await acronisTenant(t);
    const load = startLinkLoad(t.url, fixture.portalKey, fixture.body, 10);
    // The phases are durations of load (before, during and after the outage), not waits for events.
    await sleep(3000);
    const beforeOutage = load.stats.linkIds.length;
    await pg.stop();
    await sleep(OUTAGE_MS);
    pg = await PostgresProcess.start(dataDir);
    const restartedAt = Date.now();
    while (load.stats.firstSuccessAfter(restartedAt) === undefined && Date.now() - restartedAt < 30_000)
      await sleep(100);
    await sleep(2000);
    await load.stop();
    await fixture.simulator.close();

    const recoveryMs = (load.stats.firstSuccessAfter(restartedAt) ?? Infinity) - restartedAt;
    const received = load.stats.linkIds;
    const [events] = await t.db
      .query<{ issued: number; matched: number }>(
        `SELECT count(*)::int AS issued, count(*) FILTER (WHERE link_id = ANY($1::text[]))::int AS matched
       FROM audit_events WHERE action = 'login_link.issued' AND tenant_id = $2`,
        [received, fixture.tenantId],
      )
      .catch(async () => {
        // The owner connection of the harness did not survive the restart: reconnect through a fresh database handle.
        const { Client } = await import('pg');
        const client = new Client({ connectionString: t.db.ownerUrl });
        await client.connect();
        const result = await client.query(
          `SELECT count(*)::int AS issued, count(*) FILTER (WHERE link_id = ANY($1::text[]))::int AS matched
         FROM audit_events WHERE action = 'login_link.issued' AND tenant_id = $2`,
          [received, fixture.tenantId],
        );
        await client.end();
        return result.rows as { issued: number; matched: number }[];
      });
    const report = {
      beforeOutage,
      received: received.length,
      issuedEvents: events.issued,
      recoveryMs,
      statuses: load.stats.statuses,
      transportErrors: load.stats.transportErrors,
    };
    process.stdout.write(`db-restart: ${JSON.stringify(report)}\n`);

    expect(recoveryMs).toBeLessThan(15_000);
    expect(received.length).toBeGreaterThan(beforeOutage);
    // Invariant 1: no link left without its committed event.
    expect(events.matched).toBe(received.length);
    // The fixture's probe link is the one event the load client did not receive.
    expect(events.issued).toBe(received.length + 1);
    expect(load.stats.statuses['500'] ?? 0).toBe(0);
  }, 120_000);
});
