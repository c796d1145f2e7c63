import { acronisOptionsFromEnv, AcronisSimulator, startAcronisSimulator } from '@app/acronis-simulator';
import { flussonicOptionsFromEnv, FlussonicSimulator, startFlussonicSimulator } from '@app/flussonic-simulator';
import { ResolvedAddress, UpstreamResolver } from '@app/providers';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import request from 'supertest';
import { CaptureServer, startCaptureServer } from './utils/capture-server';
import { createTestApp, TestApp } from './utils/create-app';
import { createTestCa, TestCa } from './utils/test-ca';

/**
 * Issue 10, part 2: the broker calls only where it may. Each test is named after the finding it
 * covers. Every address used here is on this machine; "public" addresses only ever come out of
 * the stand-in resolver and are never connected to.
 */
const ALICE = 'alice@customer-a.example';
const ACRONIS_CREDENTIALS = { client_id: 'demo-client', client_secret: 'demo-secret' };
/** An address outside every refused range, returned by the stand-in resolver at create time only. */
const PUBLIC_ADDRESS = '93.184.215.14';

/** Stands in for DNS: names under .egress.test resolve to what the test says, others as usual. */
function standInDns(app: TestApp): Map<string, string[]> {
  const answers = new Map<string, string[]>();
  const resolver = app.app.get(UpstreamResolver, { strict: false });
  const real = resolver.lookup.bind(resolver);
  jest.spyOn(resolver, 'lookup').mockImplementation(async (hostname: string): Promise<ResolvedAddress[]> => {
    if (!hostname.endsWith('.egress.test')) return real(hostname);
    const addresses = answers.get(hostname);
    if (addresses === undefined)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  });
  return answers;
}

async function tenantOf(app: TestApp, name: string): Promise<string> {
  const res = await request(app.url).post('/v1/tenants').set(admin(app)).send({ name });
  expect(res.status).toBe(201);
  return res.body.id as string;
}
const admin = (app: TestApp) => ({ Authorization: `Bearer ${app.adminKey}` });

describe('egress in production: https only, checked addresses, a private CA', () => {
  let ca: TestCa;
  let acronis: AcronisSimulator;
  let flussonic: FlussonicSimulator;
  let listener: CaptureServer;
  let strict: TestApp;
  let lan: TestApp;

  beforeAll(async () => {
    ca = createTestCa();
    [acronis, flussonic, listener] = await Promise.all([
      startAcronisSimulator({ ...acronisOptionsFromEnv({}), port: 0, tls: ca.server }),
      startFlussonicSimulator({ ...flussonicOptionsFromEnv({}), port: 0, tls: ca.server }),
      startCaptureServer(),
    ]);
    // One after the other: creating two test databases at once races on the cluster-wide test login.
    strict = await createTestApp({ env: { NODE_ENV: 'production', UPSTREAM_CA_FILE: ca.caFile } });
    lan = await createTestApp({
      env: { NODE_ENV: 'production', UPSTREAM_CA_FILE: ca.caFile, UPSTREAM_ALLOWED_NETWORKS: '127.0.0.0/8' },
    });
  });
  afterAll(async () => {
    await Promise.all([strict?.close(), lan?.close(), acronis?.close(), flussonic?.close(), listener?.close()]);
    ca?.remove();
  });

  const create = (app: TestApp, tenantId: string, body: Record<string, unknown>) =>
    request(app.url).post(`/v1/tenants/${tenantId}/connections`).set(admin(app)).send(body);

  it('an http base_url is refused in production (400 invalid_base_url), at create and at patch', async () => {
    const tenantId = await tenantOf(strict, 'http refused');
    const res = await create(strict, tenantId, {
      name: 'plain',
      provider: 'flussonic',
      base_url: 'http://watcher.example.com',
      credentials: { api_key: 'k' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalid_base_url', errors: [{ field: 'base_url' }] });
    expect(res.body.errors[0].message).toMatch(/https/);

    const ok = await create(strict, tenantId, {
      name: 'tls',
      provider: 'flussonic',
      base_url: 'https://watcher.example.com',
      credentials: { api_key: 'k' },
    });
    expect(ok.status).toBe(201);
    const patched = await request(strict.url)
      .patch(`/v1/tenants/${tenantId}/connections/${ok.body.id}`)
      .set(admin(strict))
      .send({ base_url: 'http://watcher.example.com', credentials: { api_key: 'k' } });
    expect([patched.status, patched.body.code]).toEqual([400, 'invalid_base_url']);
  });

  it('a host that resolves to loopback is refused at create (400 upstream_address_not_allowed), whatever its spelling', async () => {
    const tenantId = await tenantOf(strict, 'loopback refused');
    for (const base_url of [
      acronis.url.replace('127.0.0.1', 'localhost'),
      acronis.url,
      `https://[::ffff:127.0.0.1]:${acronis.port}`,
      'https://169.254.169.254',
      'https://[::1]',
      'https://[::]',
      'https://0.0.0.0',
      'https://0x7f.1',
    ]) {
      const res = await create(strict, tenantId, {
        name: 'loop',
        provider: 'acronis',
        base_url,
        credentials: ACRONIS_CREDENTIALS,
      });
      expect({ base_url, status: res.status, code: res.body.code }).toEqual({
        base_url,
        status: 400,
        code: 'upstream_address_not_allowed',
      });
      expect(res.body.errors).toEqual([
        { field: 'base_url', message: expect.stringMatching(/resolves to a \w+ address/) },
      ]);
    }
    expect(await strict.db.query(`SELECT 1 FROM connections WHERE tenant_id = $1`, [tenantId])).toEqual([]);
    expect(acronis.counters.tokensIssued).toBe(0);
  });

  it('DNS rebinding: a host that resolved to a public address at create and to loopback at connect time gets 502 upstream_address_not_allowed, and no byte leaves', async () => {
    const dns = standInDns(strict);
    const tenantId = await tenantOf(strict, 'rebinding');
    dns.set('rebind.egress.test', [PUBLIC_ADDRESS]);
    const created = await create(strict, tenantId, {
      name: 'rebind',
      provider: 'acronis',
      base_url: `https://rebind.egress.test:${listener.port}`,
      settings: { allowed_target_uris: [] },
      credentials: ACRONIS_CREDENTIALS,
    });
    expect(created.status).toBe(201);

    for (const rebound of [['127.0.0.1'], ['::ffff:127.0.0.1'], [PUBLIC_ADDRESS, '127.0.0.1'], ['169.254.169.254']]) {
      dns.set('rebind.egress.test', rebound);
      const link = await request(strict.url)
        .post('/v1/login-links')
        .set(admin(strict))
        .send({ tenant_id: tenantId, connection: 'rebind', user: { login: ALICE } });
      expect({ rebound, status: link.status, code: link.body.code }).toEqual({
        rebound,
        status: 502,
        code: 'upstream_address_not_allowed',
      });
      const check = await request(strict.url)
        .post(`/v1/tenants/${tenantId}/connections/${created.body.id}/check`)
        .set(admin(strict));
      expect(check.body).toMatchObject({ ok: false, code: 'upstream_address_not_allowed' });
    }
    expect(listener.connections).toBe(0);
    const [failed] = await strict.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'login_link.failed' AND error_code = 'upstream_address_not_allowed'`,
    );
    expect(failed.n).toBe(4);
  });

  it('https to the simulators through UPSTREAM_CA_FILE, with the loopback network allowed (UPSTREAM_ALLOWED_NETWORKS=127.0.0.0/8)', async () => {
    const dns = standInDns(lan);
    dns.set('acronis.egress.test', ['127.0.0.1']);
    const tenantId = await tenantOf(lan, 'lan');
    const acronisConnection = await create(lan, tenantId, {
      name: 'acronis',
      provider: 'acronis',
      base_url: `https://acronis.egress.test:${acronis.port}`,
      settings: { allowed_target_uris: [] },
      credentials: ACRONIS_CREDENTIALS,
    });
    const flussonicConnection = await create(lan, tenantId, {
      name: 'flussonic',
      provider: 'flussonic',
      base_url: flussonic.url.replace('127.0.0.1', 'localhost'),
      credentials: { api_key: 'demo-watcher-api-key' },
    });
    expect([acronisConnection.status, flussonicConnection.status]).toEqual([201, 201]);

    for (const id of [acronisConnection.body.id, flussonicConnection.body.id]) {
      const check = await request(lan.url).post(`/v1/tenants/${tenantId}/connections/${id}/check`).set(admin(lan));
      expect(check.body).toMatchObject({ ok: true });
    }
    const acronisLink = await request(lan.url)
      .post('/v1/login-links')
      .set(admin(lan))
      .send({ tenant_id: tenantId, connection: 'acronis', user: { login: ALICE } });
    expect(acronisLink.status).toBe(201);
    expect(acronisLink.body.url).toMatch(/^https:\/\/acronis\.egress\.test:\d+\/api\/2\/idp\/external-login#ott=/);
    const flussonicLink = await request(lan.url)
      .post('/v1/login-links')
      .set(admin(lan))
      .send({ tenant_id: tenantId, connection: 'flussonic', user: { login: 'viewer@customer-a.example' } });
    expect(flussonicLink.status).toBe(201);
  });

  it('UPSTREAM_ALLOW_HTTP=true lets an http base_url through in production (with its network allowed)', async () => {
    const plain = await startFlussonicSimulator({ ...flussonicOptionsFromEnv({}), port: 0 });
    const allowing = await createTestApp({
      env: { NODE_ENV: 'production', UPSTREAM_ALLOW_HTTP: 'true', UPSTREAM_ALLOWED_NETWORKS: '127.0.0.0/8' },
    });
    try {
      const tenantId = await tenantOf(allowing, 'http allowed');
      const res = await create(allowing, tenantId, {
        name: 'plain',
        provider: 'flussonic',
        base_url: plain.url,
        credentials: { api_key: 'demo-watcher-api-key' },
      });
      expect(res.status).toBe(201);
      const check = await request(allowing.url)
        .post(`/v1/tenants/${tenantId}/connections/${res.body.id}/check`)
        .set(admin(allowing));
      expect(check.body).toMatchObject({ ok: true });
    } finally {
      await Promise.all([allowing.close(), plain.close()]);
    }
  });

  it('without the private CA the simulator is not trusted (the CA file is what makes https work)', async () => {
    const untrusting = await createTestApp({
      env: { NODE_ENV: 'production', UPSTREAM_ALLOWED_NETWORKS: '127.0.0.0/8' },
    });
    try {
      const tenantId = await tenantOf(untrusting, 'no ca');
      const res = await create(untrusting, tenantId, {
        name: 'acronis',
        provider: 'acronis',
        base_url: acronis.url,
        credentials: ACRONIS_CREDENTIALS,
      });
      const check = await request(untrusting.url)
        .post(`/v1/tenants/${tenantId}/connections/${res.body.id}/check`)
        .set(admin(untrusting));
      expect(check.body).toMatchObject({ ok: false, code: 'upstream_unreachable' });
    } finally {
      await untrusting.close();
    }
  });
});

describe('upstream answers and failures tell an admin nothing about the network', () => {
  let t: TestApp;
  let tenantId: string;
  const servers: Server[] = [];
  const tcp: ReturnType<typeof createTcpServer>[] = [];
  const held: Socket[] = [];

  async function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<number> {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }
  /** An HTTP upstream answering every request with `status` and `body`. */
  async function upstream(status: number, body: string, headers: Record<string, string> = {}): Promise<string> {
    const server = createHttpServer((req, res) => {
      req.resume();
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
    });
    servers.push(server);
    return `http://127.0.0.1:${await listen(server)}`;
  }
  async function connection(name: string, baseUrl: string, provider = 'acronis'): Promise<string> {
    const res = await request(t.url)
      .post(`/v1/tenants/${tenantId}/connections`)
      .set(admin(t))
      .send({
        name,
        provider,
        base_url: baseUrl,
        credentials: provider === 'acronis' ? ACRONIS_CREDENTIALS : { api_key: 'k' },
      });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }
  const check = (id: string) => request(t.url).post(`/v1/tenants/${tenantId}/connections/${id}/check`).set(admin(t));
  const link = (name: string) =>
    request(t.url)
      .post('/v1/login-links')
      .set(admin(t))
      .send({ tenant_id: tenantId, connection: name, user: { login: ALICE } });

  beforeAll(async () => {
    t = await createTestApp({ env: { UPSTREAM_CONNECT_TIMEOUT_MS: '300' } });
    tenantId = await tenantOf(t, 'answers');
  });
  afterAll(async () => {
    await t?.close();
    held.forEach((socket) => socket.destroy());
    await Promise.all(
      [...servers, ...tcp].map(
        (server) =>
          new Promise<void>((resolve) => {
            if ('closeAllConnections' in server) server.closeAllConnections();
            server.close(() => resolve());
          }),
      ),
    );
  });

  it('upstream free text (error_description, message, HTML) never reaches an API answer', async () => {
    const leaks = ['db-7.internal at 10.9.8.7 is down', 'Tomcat/9.0.1 stack trace', 'ask ops@msp.example'];
    const cases = [
      ['json-500', await upstream(500, JSON.stringify({ error: 'server_error', message: leaks[0] }))],
      ['json-400', await upstream(400, JSON.stringify({ error: 'invalid_client', error_description: leaks[2] }))],
      [
        'html-503',
        await upstream(503, `<html><body><h1>${leaks[1]}</h1></body></html>`, { 'content-type': 'text/html' }),
      ],
      ['errscheme-418', await upstream(418, JSON.stringify({ error: { code: 418, message: leaks[0] } }))],
    ] as const;
    for (const [name, baseUrl] of cases) {
      const id = await connection(name, baseUrl);
      const answers = [await check(id), await link(name)];
      const text = JSON.stringify(answers.map((answer) => answer.body));
      for (const leak of [...leaks, 'server_error', 'invalid_client', 'Tomcat']) expect(text).not.toContain(leak);
      expect(answers[1].body.code).toMatch(/^upstream_/);
    }
  });

  it('an upstream redirect is not followed (to loopback or anywhere)', async () => {
    const target = await startCaptureServer();
    try {
      const redirecting = await upstream(302, '{}', { location: `${target.url}/api/2/idp/token` });
      const id = await connection('redirect', redirecting);
      expect((await check(id)).body).toMatchObject({ ok: false });
      expect(target.connections).toBe(0);
    } finally {
      await target.close();
    }
  });

  it('refused, reset and timed-out connects answer alike: one code (upstream_unreachable), one detail, in links and checks', async () => {
    const closed = createTcpServer();
    const closedPort = await listen(closed);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const reset = createTcpServer((socket: Socket) => socket.destroy());
    // Accepts, and never completes a TLS handshake; its sockets are ended when the suite closes.
    const silent = createTcpServer((socket: Socket) => {
      held.push(socket);
    });
    tcp.push(reset, silent);
    const targets = {
      refused: `http://127.0.0.1:${closedPort}`,
      reset: `http://127.0.0.1:${await listen(reset)}`,
      timeout: `https://127.0.0.1:${await listen(silent)}`,
    };
    const checks: Record<string, unknown> = {};
    const links: Record<string, unknown> = {};
    for (const [name, baseUrl] of Object.entries(targets)) {
      const id = await connection(`unreachable-${name}`, baseUrl, 'flussonic');
      checks[name] = (await check(id)).body;
      const answer = await request(t.url)
        .post('/v1/login-links')
        .set(admin(t))
        .send({ tenant_id: tenantId, connection: `unreachable-${name}`, user: { login: 'viewer' } });
      links[name] = { status: answer.status, code: answer.body.code, detail: answer.body.detail };
    }
    expect(checks.refused).toEqual({ ok: false, code: 'upstream_unreachable', detail: expect.any(String) });
    expect(checks.reset).toEqual(checks.refused);
    expect(checks.timeout).toEqual(checks.refused);
    expect(links.refused).toEqual({ status: 502, code: 'upstream_unreachable', detail: expect.any(String) });
    expect(links.reset).toEqual(links.refused);
    expect(links.timeout).toEqual(links.refused);
  });
});
