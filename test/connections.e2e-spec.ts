import { randomUUID } from 'node:crypto';
import { issueTenantScope } from '@app/common';
import request from 'supertest';
import { startFlussonicSimulator } from '@app/flussonic-simulator';
import { ConnectionsService } from '@app/connections';
import { createTestApp, TestApp } from './utils/create-app';

const ACRONIS = {
  provider: 'acronis',
  base_url: 'https://eu2-cloud.acronis.com/',
  settings: { allowed_target_uris: ['https://eu2-cloud.acronis.com/ui'] },
  credentials: { client_id: 'client-1', client_secret: 'secret-1' },
};

describe('connections API', () => {
  let t: TestApp;
  let tenantId: string;
  const auth = () => ({ Authorization: `Bearer ${t.adminKey}` });
  const base = () => `/v1/tenants/${tenantId}/connections`;
  const create = (body: Record<string, unknown>, tenant = tenantId) =>
    request(t.url).post(`/v1/tenants/${tenant}/connections`).set(auth()).send(body);

  async function newTenant(): Promise<string> {
    const slug = `t-${randomUUID().slice(0, 8)}`;
    const [row] = await t.db.query<{ id: string }>('INSERT INTO tenants (slug, name) VALUES ($1, $1) RETURNING id', [
      slug,
    ]);
    return row.id;
  }

  beforeAll(async () => {
    t = await createTestApp();
    tenantId = await newTenant();
  });
  afterAll(async () => t.close());

  it('creates a connection and answers its credential kind and version, never the secret', async () => {
    const res = await create({ name: 'acronis-eu', ...ACRONIS });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      tenant_id: tenantId,
      name: 'acronis-eu',
      provider: 'acronis',
      base_url: 'https://eu2-cloud.acronis.com',
      settings: { allowed_target_uris: ['https://eu2-cloud.acronis.com/ui'] },
      launch_expires_in: null,
      policy: {},
      launch_confirmation: 'auto',
      credential: { kind: 'client_credentials', version: 1, updated_at: expect.any(String) },
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(JSON.stringify(res.body)).not.toContain('secret-1');
    const got = await request(t.url).get(`${base()}/${res.body.id}`).set(auth());
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
    const [secret] = await t.db.query<{ version: number; kind: string; n: number }>(
      'SELECT version, kind, octet_length(ciphertext) AS n FROM connection_secrets WHERE connection_id = $1',
      [res.body.id],
    );
    expect(secret).toMatchObject({ version: 1, kind: 'client_credentials' });
  });

  it('refuses a second connection with the same name in the tenant (409), allows it in another tenant', async () => {
    await create({ name: 'dup', ...ACRONIS }).expect(201);
    const again = await create({ name: 'dup', ...ACRONIS });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'connection_name_taken', errors: [{ field: 'name' }] });
    expect((await create({ name: 'dup', ...ACRONIS }, await newTenant())).status).toBe(201);
  });

  it('answers an unknown provider with 400 listing the known kinds', async () => {
    const res = await create({ name: 'x', ...ACRONIS, provider: 'okta' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('unknown_provider');
    expect(res.body.detail).toMatch(/acronis/);
    expect(res.body.detail).toMatch(/flussonic/);
  });

  it.each([
    [
      'acronis settings',
      { ...ACRONIS, settings: { allowed_target_uris: ['not a url'] } },
      'invalid_settings',
      'settings.allowed_target_uris',
    ],
    ['acronis settings field', { ...ACRONIS, settings: { tenant: 'x' } }, 'invalid_settings', 'settings.tenant'],
    [
      'acronis credentials',
      { ...ACRONIS, credentials: { client_id: 'c' } },
      'invalid_credentials',
      'credentials.client_secret',
    ],
    [
      'acronis mixed credentials',
      { ...ACRONIS, credentials: { client_id: 'c', client_secret: 's', bearer_token: 'b' } },
      'invalid_credentials',
      'credentials',
    ],
    [
      'flussonic settings',
      {
        provider: 'flussonic',
        base_url: 'http://w.example',
        settings: { token_ttl: 5 },
        credentials: { api_key: 'k' },
      },
      'invalid_settings',
      'settings.token_ttl',
    ],
    [
      'flussonic auth_mode',
      { provider: 'flussonic', base_url: 'http://w.example', credentials: { api_key: 'k', auth_mode: 'v9' } },
      'invalid_credentials',
      'credentials.auth_mode',
    ],
    [
      'flussonic wrong shape',
      { provider: 'flussonic', base_url: 'http://w.example', credentials: { client_id: 'c', client_secret: 's' } },
      'invalid_credentials',
      'credentials.client_id',
    ],
    [
      'base_url with credentials',
      { ...ACRONIS, base_url: 'https://u:p@eu2-cloud.acronis.com' },
      'invalid_base_url',
      'base_url',
    ],
    [
      'base_url with query',
      { ...ACRONIS, base_url: 'https://eu2-cloud.acronis.com/?x=1' },
      'invalid_base_url',
      'base_url',
    ],
    ['relative base_url', { ...ACRONIS, base_url: '/api' }, 'invalid_base_url', 'base_url'],
    ['credentials not an object', { ...ACRONIS, credentials: 'secret' }, 'validation_failed', 'credentials'],
    ['uuid-shaped name', { ...ACRONIS, name: randomUUID() }, 'validation_failed', 'name'],
  ])('answers %s errors with 400 and field errors', async (_label, body, code, field) => {
    const res = await create({ name: 'bad', ...body });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe(code);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    const stored = await t.db.query(`SELECT 1 FROM connections WHERE tenant_id = $1 AND name = 'bad'`, [tenantId]);
    expect(stored).toHaveLength(0);
  });

  it('answers 404 tenant_not_found for an unknown tenant, 404 connection_not_found for an unknown connection', async () => {
    const unknown = randomUUID();
    expect((await create({ name: 'x', ...ACRONIS }, unknown)).body).toMatchObject({
      status: 404,
      code: 'tenant_not_found',
    });
    expect((await request(t.url).get(`/v1/tenants/${unknown}/connections`).set(auth())).body.code).toBe(
      'tenant_not_found',
    );
    expect((await request(t.url).get(`${base()}/${randomUUID()}`).set(auth())).body).toMatchObject({
      status: 404,
      code: 'connection_not_found',
    });
  });

  it('does not show a connection through another tenant', async () => {
    const created = await create({ name: 'mine', ...ACRONIS }).expect(201);
    const other = await newTenant();
    const res = await request(t.url).get(`/v1/tenants/${other}/connections/${created.body.id}`).set(auth());
    expect(res.status).toBe(404);
    await expect(t.app.get(ConnectionsService).resolveForLink(issueTenantScope(other), 'mine')).rejects.toMatchObject({
      code: 'connection_not_found',
    });
  });

  it('patches name, base_url and settings (re-validated), refuses a provider change and an empty patch', async () => {
    const created = await create({ name: 'to-patch', ...ACRONIS }).expect(201);
    const url = `${base()}/${created.body.id}`;
    // Another origin needs its credentials in the same request (test/secret-origin.e2e-spec.ts).
    const patched = await request(t.url)
      .patch(url)
      .set(auth())
      .send({
        name: 'patched',
        base_url: 'https://us5-cloud.acronis.com',
        settings: { allowed_target_uris: [] },
        credentials: ACRONIS.credentials,
      });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      name: 'patched',
      base_url: 'https://us5-cloud.acronis.com',
      settings: { allowed_target_uris: [] },
      credential: { version: 2 },
    });
    const badSettings = await request(t.url)
      .patch(url)
      .set(auth())
      .send({ settings: { allowed_target_uris: 'x' } });
    expect(badSettings.body).toMatchObject({ status: 400, code: 'invalid_settings' });
    const provider = await request(t.url).patch(url).set(auth()).send({ provider: 'flussonic' });
    expect(provider.body).toMatchObject({ status: 400, errors: [expect.objectContaining({ field: 'provider' })] });
    expect((await request(t.url).patch(url).set(auth()).send({})).body).toMatchObject({
      status: 400,
      code: 'empty_patch',
    });
    await create({ name: 'taken', ...ACRONIS }).expect(201);
    expect((await request(t.url).patch(url).set(auth()).send({ name: 'taken' })).body.code).toBe(
      'connection_name_taken',
    );
    const after = await request(t.url).get(url).set(auth());
    expect(after.body).toMatchObject({ name: 'patched', provider: 'acronis' });
  });

  it("sets, changes and clears a connection's launch-link lifetime within 30 s .. 24 h", async () => {
    const created = await create({ name: 'launch-ttl', ...ACRONIS, launch_expires_in: 900 });
    expect([created.status, created.body.launch_expires_in]).toEqual([201, 900]);
    for (const bad of [29, 86_401, 1.5, '900']) {
      const res = await create({ name: `bad-ttl-${String(bad)}`, ...ACRONIS, launch_expires_in: bad });
      expect({ bad, status: res.status, field: res.body.errors?.[0]?.field }).toEqual({
        bad,
        status: 400,
        field: 'launch_expires_in',
      });
    }
    const url = `${base()}/${created.body.id}`;
    expect((await request(t.url).patch(url).set(auth()).send({ launch_expires_in: 3600 })).body.launch_expires_in).toBe(
      3600,
    );
    expect((await request(t.url).patch(url).set(auth()).send({ launch_expires_in: 10 })).status).toBe(400);
    const cleared = await request(t.url).patch(url).set(auth()).send({ launch_expires_in: null });
    expect([cleared.status, cleared.body.launch_expires_in, cleared.body.name]).toEqual([200, null, 'launch-ttl']);
    const [event] = await t.db.query<{ metadata: unknown }>(
      `SELECT metadata FROM audit_events WHERE action = 'connection.updated' AND connection_id = $1 ORDER BY seq DESC LIMIT 1`,
      [created.body.id],
    );
    expect(event.metadata).toEqual({
      changed: ['launch_expires_in'],
      before: { launch_expires_in: 3600 },
      after: { launch_expires_in: null },
    });
  });

  it('lists connections with cursor pages', async () => {
    const tenant = await newTenant();
    for (const name of ['a', 'b', 'c']) await create({ name, ...ACRONIS }, tenant).expect(201);
    const first = await request(t.url).get(`/v1/tenants/${tenant}/connections?limit=2`).set(auth());
    expect(first.body.data.map((c: { name: string }) => c.name)).toEqual(['a', 'b']);
    const second = await request(t.url)
      .get(`/v1/tenants/${tenant}/connections?limit=2&cursor=${first.body.next_cursor}`)
      .set(auth());
    expect(second.body).toMatchObject({
      data: [{ name: 'c', credential: { kind: 'client_credentials', version: 1 } }],
      next_cursor: null,
    });
  });

  it('replaces the credential with a new version that the providers get on the next resolve', async () => {
    const created = await create({ name: 'rotating', ...ACRONIS }).expect(201);
    const url = `${base()}/${created.body.id}/credentials`;
    const res = await request(t.url).put(url).set(auth()).send({ bearer_token: 'pasted-token-2' });
    expect(res.status).toBe(200);
    expect(res.body.credential).toMatchObject({ kind: 'bearer_token', version: 2 });
    expect(JSON.stringify(res.body)).not.toContain('pasted-token-2');
    const { connection, context } = await t.app
      .get(ConnectionsService)
      .resolveForLink(issueTenantScope(tenantId), 'rotating');
    expect(connection).toMatchObject({ id: created.body.id, provider: 'acronis' });
    expect(context.baseUrl).toBe('https://eu2-cloud.acronis.com');
    expect(context.credentialVersion).toBe(2);
    await expect(context.loadCredentials()).resolves.toEqual({ bearer_token: 'pasted-token-2' });
    const wrongShape = await request(t.url).put(url).set(auth()).send({ api_key: 'k' });
    expect(wrongShape.body).toMatchObject({ status: 400, code: 'invalid_credentials' });
  });

  it('resolves a connection by name or id for login links', async () => {
    const created = await create({ name: 'by-ref', ...ACRONIS }).expect(201);
    const service = t.app.get(ConnectionsService);
    const byId = await service.resolveForLink(issueTenantScope(tenantId), created.body.id.toUpperCase());
    const byName = await service.resolveForLink(issueTenantScope(tenantId), 'by-ref');
    expect(byId.connection.id).toBe(created.body.id);
    expect(byName.connection.id).toBe(created.body.id);
    expect(byName.context).toMatchObject({
      tenantId,
      connectionId: created.body.id,
      credentialVersion: 1,
      settings: ACRONIS.settings,
    });
    await expect(byName.context.loadCredentials()).resolves.toEqual(ACRONIS.credentials);
    await expect(service.resolveForLink(issueTenantScope(tenantId), 'nope')).rejects.toMatchObject({
      status: 404,
      code: 'connection_not_found',
    });
  });

  it('resolves a link target and checks the tenant is active in one query, in the order tenant, suspension, connection', async () => {
    const tenant = await newTenant();
    const created = await create({ name: 'active-ref', ...ACRONIS }, tenant).expect(201);
    const service = t.app.get(ConnectionsService);
    const byId = await service.resolveForLink(issueTenantScope(tenant), created.body.id.toUpperCase());
    const byName = await service.resolveForLink(issueTenantScope(tenant), 'active-ref');
    expect(byId.connection).toEqual({
      id: created.body.id,
      provider: 'acronis',
      launchExpiresIn: null,
      policy: {},
      launchConfirmation: 'auto',
    });
    expect(byId.tenant).toEqual({ name: expect.any(String), maxLaunchExpiresIn: null });
    expect(byName.connection.id).toBe(created.body.id);
    expect(byName.context).toMatchObject({
      tenantId: tenant,
      connectionId: created.body.id,
      credentialVersion: 1,
      settings: ACRONIS.settings,
    });
    await expect(byName.context.loadCredentials()).resolves.toEqual(ACRONIS.credentials);
    await expect(service.resolveForLink(issueTenantScope(tenant), 'nope')).rejects.toMatchObject({
      status: 404,
      code: 'connection_not_found',
    });
    await expect(service.resolveForLink(issueTenantScope(tenantId), 'active-ref')).rejects.toMatchObject({
      status: 404,
      code: 'connection_not_found',
    });
    await expect(service.resolveForLink(issueTenantScope(randomUUID()), 'active-ref')).rejects.toMatchObject({
      status: 404,
      code: 'tenant_not_found',
    });

    await request(t.url).patch(`/v1/tenants/${tenant}`).set(auth()).send({ status: 'suspended' }).expect(200);
    await expect(service.resolveForLink(issueTenantScope(tenant), 'active-ref')).rejects.toMatchObject({
      status: 403,
      code: 'tenant_suspended',
    });
    await expect(service.resolveForLink(issueTenantScope(tenant), 'nope')).rejects.toMatchObject({
      status: 403,
      code: 'tenant_suspended',
    });
    await request(t.url).patch(`/v1/tenants/${tenant}`).set(auth()).send({ status: 'active' }).expect(200);
    expect((await service.resolveForLink(issueTenantScope(tenant), 'active-ref')).connection.id).toBe(created.body.id);
  });

  it('checks a credential against the upstream (Flussonic simulator)', async () => {
    const sim = await startFlussonicSimulator({ apiKey: 'watcher-key' });
    try {
      const good = await create({
        name: 'watcher',
        provider: 'flussonic',
        base_url: sim.url,
        credentials: { api_key: 'watcher-key' },
      }).expect(201);
      const check = await request(t.url).post(`${base()}/${good.body.id}/check`).set(auth());
      expect(check.status).toBe(200);
      expect(check.body.ok).toBe(true);
      await request(t.url)
        .put(`${base()}/${good.body.id}/credentials`)
        .set(auth())
        .send({ api_key: 'wrong-key' })
        .expect(200);
      const bad = await request(t.url).post(`${base()}/${good.body.id}/check`).set(auth());
      expect(bad.body).toMatchObject({ ok: false, code: 'upstream_unauthorized' });
    } finally {
      await sim.close();
    }
  });

  it('destroys the secret with its connection, and every secret of a deleted tenant', async () => {
    const tenant = await newTenant();
    const one = await create({ name: 'one', ...ACRONIS }, tenant).expect(201);
    await create({ name: 'two', ...ACRONIS }, tenant).expect(201);
    const secretsOf = async () =>
      (await t.db.query('SELECT 1 FROM connection_secrets WHERE tenant_id = $1', [tenant])).length;
    expect(await secretsOf()).toBe(2);
    await request(t.url).delete(`/v1/tenants/${tenant}/connections/${one.body.id}`).set(auth()).expect(204);
    expect(await secretsOf()).toBe(1);
    expect((await request(t.url).delete(`/v1/tenants/${tenant}/connections/${one.body.id}`).set(auth())).status).toBe(
      404,
    );
    await t.db.query('DELETE FROM tenants WHERE id = $1', [tenant]);
    expect(await secretsOf()).toBe(0);
    expect(await t.db.query('SELECT 1 FROM connections WHERE tenant_id = $1', [tenant])).toHaveLength(0);
  });

  it('is for admin keys only: no key → 401, a portal key of the tenant → 403, rewrap too', async () => {
    const portal = await request(t.url)
      .post('/v1/api-keys')
      .set(auth())
      .send({ name: 'portal', role: 'portal', tenant_id: tenantId });
    expect(portal.status).toBe(201);
    const asPortal = { Authorization: `Bearer ${portal.body.key}` };
    expect((await request(t.url).get(base())).status).toBe(401);
    expect((await request(t.url).get(base()).set(asPortal)).status).toBe(403);
    expect(
      (
        await request(t.url)
          .post(base())
          .set(asPortal)
          .send({ name: 'p', ...ACRONIS })
      ).status,
    ).toBe(403);
    expect((await request(t.url).post('/v1/vault/rewrap').set(asPortal)).status).toBe(403);
    expect((await request(t.url).post('/v1/vault/rewrap')).status).toBe(401);
  });

  it('records every change in the audit log with the same transaction', async () => {
    const tenant = await newTenant();
    const created = await create({ name: 'audited', ...ACRONIS }, tenant).expect(201);
    const url = `/v1/tenants/${tenant}/connections/${created.body.id}`;
    await request(t.url).patch(url).set(auth()).send({ name: 'audited-2' }).expect(200);
    await request(t.url)
      .put(`${url}/credentials`)
      .set(auth())
      .send({ client_id: 'c', client_secret: 'rotated-secret' })
      .expect(200);
    await request(t.url).delete(url).set(auth()).expect(204);
    const events = await t.db.query<{ action: string; connection_id: string }>(
      'SELECT action, connection_id FROM audit_events WHERE tenant_id = $1 ORDER BY seq',
      [tenant],
    );
    expect(events.map((e) => e.action)).toEqual([
      'connection.created',
      'connection.updated',
      'credential.rotated',
      'connection.deleted',
    ]);
    expect(events.every((e) => e.connection_id === created.body.id)).toBe(true);
  });
});
