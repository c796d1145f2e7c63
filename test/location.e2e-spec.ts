import { startFlussonicSimulator, FlussonicSimulator } from '@app/flussonic-simulator';
import { createTestApp, TestApp } from './utils/create-app';

/** Every 201 names what it created: Location is the absolute path of the resource, which answers there. */
describe('Location on every 201', () => {
  let t: TestApp;
  let flussonic: FlussonicSimulator;
  const call = async (method: string, path: string, body?: unknown, key = t.adminKey) => {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, location: res.headers.get('location'), body: text ? JSON.parse(text) : undefined };
  };

  beforeAll(async () => {
    [t, flussonic] = await Promise.all([
      createTestApp(),
      startFlussonicSimulator({ apiKey: 'watcher-key', users: [{ login: 'viewer@a.example' }] }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([t?.close(), flussonic?.close()]);
  });

  it('tenant, connection, API key and login link: Location leads to the created resource', async () => {
    const tenant = await call('POST', '/v1/tenants', { name: 'Located' });
    expect(tenant.status).toBe(201);
    expect(tenant.location).toBe(`/v1/tenants/${tenant.body.id}`);
    expect((await call('GET', tenant.location!)).body.id).toBe(tenant.body.id);

    const connection = await call('POST', `/v1/tenants/${tenant.body.id}/connections`, {
      name: 'watcher',
      provider: 'flussonic',
      base_url: flussonic.url,
      credentials: { api_key: 'watcher-key' },
    });
    expect(connection.status).toBe(201);
    expect(connection.location).toBe(`/v1/tenants/${tenant.body.id}/connections/${connection.body.id}`);
    expect((await call('GET', connection.location!)).body.id).toBe(connection.body.id);

    const key = await call('POST', '/v1/api-keys', { name: 'portal', role: 'portal', tenant_id: tenant.body.id });
    expect(key.status).toBe(201);
    expect(key.location).toBe(`/v1/api-keys/${key.body.id}`);

    const issue = () =>
      call(
        'POST',
        '/v1/login-links',
        { connection: 'watcher', user: { login: 'viewer@a.example' }, delivery: 'launch' },
        key.body.key,
      );
    const link = await issue();
    expect(link.status).toBe(201);
    expect(link.location).toBe(`/v1/login-links/${link.body.id}`);
    const status = await call('GET', link.location!, undefined, key.body.key);
    expect(status.body).toMatchObject({ id: link.body.id, status: 'issued' });

    // The API key's path is where it is revoked (there is no GET of one key).
    expect((await call('DELETE', key.location!)).status).toBe(204);
  });
});
