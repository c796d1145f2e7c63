import { acronisOptionsFromEnv, AcronisSimulator, startAcronisSimulator } from '@app/acronis-simulator';
import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-app';

const ALICE = 'alice@customer-a.example';
const TIMEOUT_MS = 1000;

describe('login links: upstream faults become clear, bounded, audited errors', () => {
  let t: TestApp;
  let acronis: AcronisSimulator;
  let tenantId: string;
  let portalKey: string;

  const admin = () => ({ Authorization: `Bearer ${t.adminKey}` });
  const issue = (connection: string, login = ALICE) =>
    request(t.url)
      .post('/v1/login-links')
      .set({ Authorization: `Bearer ${portalKey}` })
      .send({ connection, user: { login } });

  async function connection(name: string): Promise<void> {
    await request(t.url)
      .post(`/v1/tenants/${tenantId}/connections`)
      .set(admin())
      .send({
        name,
        provider: 'acronis',
        base_url: acronis.url,
        settings: { allowed_target_uris: [] },
        credentials: { client_id: 'demo-client', client_secret: 'demo-secret' },
      })
      .expect(201);
    // Warm the token cache so each fault below hits /idp/ott.
    expect((await issue(name)).status).toBe(201);
  }

  beforeAll(async () => {
    [t, acronis] = await Promise.all([
      createTestApp({
        env: {
          UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS),
          UPSTREAM_BREAKER_FAILURES: '5',
          UPSTREAM_BREAKER_COOLDOWN_MS: '60000',
        },
      }),
      startAcronisSimulator({ ...acronisOptionsFromEnv({}), port: 0 }),
    ]);
    tenantId = (await request(t.url).post('/v1/tenants').set(admin()).send({ name: 'Faults' })).body.id;
    portalKey = (
      await request(t.url).post('/v1/api-keys').set(admin()).send({ name: 'p', role: 'portal', tenant_id: tenantId })
    ).body.key;
    await connection('acronis');
  });

  afterEach(() => acronis.faults.clear());
  afterAll(async () => {
    await Promise.all([t?.close(), acronis?.close()]);
  });

  const failures = async (code: string) =>
    Number(
      (
        await t.db.query<{ n: string }>(
          `SELECT count(*) AS n FROM audit_events WHERE action = 'login_link.failed' AND outcome = 'failure' AND error_code = $1`,
          [code],
        )
      )[0].n,
    );

  /** Sends, checks the problem+json answer and that exactly one failure event was recorded for it. */
  async function expectProblem(
    send: Promise<request.Response>,
    status: number,
    code: string,
  ): Promise<request.Response> {
    const before = await failures(code);
    const res = await send;
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe(code);
    expect(await failures(code)).toBe(before + 1);
    return res;
  }

  it('latency beyond the deadline → 504 upstream_timeout within the deadline + 1 s', async () => {
    acronis.faults.set({ latencyMs: 4000, path: '/api/2/idp/ott', times: 1 });
    const started = Date.now();
    await expectProblem(issue('acronis'), 504, 'upstream_timeout');
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1000);
  });

  it('5xx → 502 upstream_error', async () => {
    acronis.faults.set({ status: 503, path: '/api/2/idp/ott', times: 1 });
    await expectProblem(issue('acronis'), 502, 'upstream_error');
  });

  it('garbage → 502 upstream_error', async () => {
    acronis.faults.set({ garbage: true, path: '/api/2/idp/ott', times: 1 });
    await expectProblem(issue('acronis'), 502, 'upstream_error');
  });

  it('429 → 429 upstream_rate_limited with Retry-After passed on', async () => {
    acronis.faults.set({ status: 429, retryAfter: 7, path: '/api/2/idp/ott', times: 1 });
    const res = await expectProblem(issue('acronis'), 429, 'upstream_rate_limited');
    expect(res.headers['retry-after']).toBe('7');
  });

  it('unknown user → 404 upstream_user_not_found', async () => {
    await expectProblem(issue('acronis', 'ghost@customer-a.example'), 404, 'upstream_user_not_found');
  });

  it('a dead upstream opens the breaker: later answers come fast without calling it', async () => {
    await connection('acronis-dead');
    acronis.faults.set({ status: 503, path: '/api/2/idp/ott' });
    for (let i = 0; i < 5; i += 1) expect((await issue('acronis-dead')).status).toBe(502);
    const calls = acronis.counters.requestsByPath['/api/2/idp/ott'] ?? 0;
    const started = Date.now();
    const fast = await expectProblem(issue('acronis-dead'), 503, 'upstream_circuit_open');
    expect(Date.now() - started).toBeLessThan(500);
    expect(fast.headers['retry-after']).toBeDefined();
    expect(acronis.counters.requestsByPath['/api/2/idp/ott'] ?? 0).toBe(calls);
    acronis.faults.clear();
    expect((await issue('acronis')).status).toBe(201);
    expect((await issue('acronis-dead')).body.code).toBe('upstream_circuit_open');
  });
});
