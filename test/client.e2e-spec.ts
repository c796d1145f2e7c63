import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlussonicSimulator, startFlussonicSimulator } from '@app/flussonic-simulator';
import { createSsoBrokerClient, ok, SsoBrokerError } from '@sso-broker/client';
import { createTestApp, newAdminKeyText, TestApp } from './utils/create-app';

const VIEWER = 'viewer@customer-a.example';

describe('@sso-broker/client against a real broker', () => {
  let t: TestApp;
  let flussonic: FlussonicSimulator;

  beforeAll(async () => {
    [t, flussonic] = await Promise.all([
      createTestApp(),
      startFlussonicSimulator({ apiKey: 'watcher-key', users: [{ login: VIEWER }] }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([t?.close(), flussonic?.close()]);
  });

  it('serves the document the client was generated from (libs/client/openapi.json)', async () => {
    const served: unknown = await (await fetch(`${t.url}/openapi.json`)).json();
    const committed: unknown = JSON.parse(readFileSync(join(__dirname, '../libs/client/openapi.json'), 'utf8'));
    expect(served).toEqual(committed);
  });

  it('an operator sets a tenant up and a portal issues a link, once per Idempotency-Key', async () => {
    const admin = createSsoBrokerClient({ baseUrl: t.url, apiKey: t.adminKey });
    const tenant = await ok(admin.POST('/v1/tenants', { body: { name: 'Customer A' } }));
    const connection = await ok(
      admin.POST('/v1/tenants/{tenant_id}/connections', {
        params: { path: { tenant_id: tenant.id } },
        body: {
          name: 'watcher',
          provider: 'flussonic',
          base_url: flussonic.url,
          settings: { default_session_lifetime: 3600 },
          credentials: { api_key: 'watcher-key' },
        },
      }),
    );
    const key = await ok(
      admin.POST('/v1/api-keys', { body: { name: 'portal', role: 'portal', tenant_id: tenant.id } }),
    );

    const portal = createSsoBrokerClient({ baseUrl: t.url, apiKey: key.key });
    const link = await ok(portal.POST('/v1/login-links', { body: { connection: 'watcher', user: { login: VIEWER } } }));
    expect(link).toMatchObject({ tenant_id: tenant.id, connection_id: connection.id, provider: 'flussonic' });
    expect(link.form?.action).toBe(`${flussonic.url}/vsaas/autologin`);

    // The automatic key differs per call (two links); a given one is honoured (the same link).
    const second = await ok(
      portal.POST('/v1/login-links', { body: { connection: 'watcher', user: { login: VIEWER } } }),
    );
    expect(second.id).not.toBe(link.id);
    const header = { 'Idempotency-Key': 'portal-order-4711-retry' };
    const a = await ok(
      portal.POST('/v1/login-links', { params: { header }, body: { connection: 'watcher', user: { login: VIEWER } } }),
    );
    const b = await ok(
      portal.POST('/v1/login-links', { params: { header }, body: { connection: 'watcher', user: { login: VIEWER } } }),
    );
    expect(b.id).toBe(a.id);
    const [{ count }] = await t.db.query<{ count: string }>(
      `SELECT count(*) FROM audit_events WHERE tenant_id = $1 AND action = 'login_link.issued'`,
      [tenant.id],
    );
    expect(Number(count)).toBe(3);
  });

  it('throws SsoBrokerError with status, code, request_id and field errors', async () => {
    const admin = createSsoBrokerClient({ baseUrl: t.url, apiKey: t.adminKey });
    const error = (await admin
      .POST('/v1/tenants', { body: { name: 42 as unknown as string } })
      .catch((e: unknown) => e)) as SsoBrokerError;
    expect(error).toBeInstanceOf(SsoBrokerError);
    expect(error.status).toBe(400);
    expect(error.code).toBe('validation_failed');
    expect(error.request_id).toMatch(/\S/);
    expect(error.errors.map((e) => e.field)).toContain('name');

    const stranger = createSsoBrokerClient({ baseUrl: t.url, apiKey: newAdminKeyText() });
    await expect(stranger.GET('/v1/tenants')).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
  });
});
