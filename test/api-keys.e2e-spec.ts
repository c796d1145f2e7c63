import request from 'supertest';
import { ApiKeyRevocations } from '@app/auth';
import { createTestApp, newAdminKeyText, TestApp } from './utils/create-app';
import { pollUntil } from './utils/poll-until';

const KEY_PATTERN = /^sbk_[apr]_[A-Za-z0-9_-]{43}$/;
const UNKNOWN_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';

describe('API keys', () => {
  let t: TestApp;
  let tenantA: string;
  let tenantB: string;
  const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
  const asAdmin = () => bearer(t.adminKey);
  const createKey = (body: object) => request(t.url).post('/v1/api-keys').set(asAdmin()).send(body);
  const listTenants = (headers: Record<string, string>) => request(t.url).get('/v1/tenants').set(headers);

  beforeAll(async () => {
    t = await createTestApp();
    tenantA = (await request(t.url).post('/v1/tenants').set(asAdmin()).send({ name: 'Tenant A' })).body.id;
    tenantB = (await request(t.url).post('/v1/tenants').set(asAdmin()).send({ name: 'Tenant B' })).body.id;
  });
  afterAll(async () => t.close());

  it('creates a key, shows its text once, and the key works at once', async () => {
    const res = await createKey({ name: 'second admin', role: 'admin' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      key: expect.stringMatching(/^sbk_a_/),
      prefix: res.body.key.slice(0, 12),
      name: 'second admin',
      role: 'admin',
      tenant_id: null,
      expires_at: null,
      created_at: expect.any(String),
    });
    expect(res.body.key).toMatch(KEY_PATTERN);
    expect((await listTenants(bearer(res.body.key))).status).toBe(200);

    const listed = await request(t.url).get('/v1/api-keys').query({ limit: 500 }).set(asAdmin());
    const entry = listed.body.data.find((k: { id: string }) => k.id === res.body.id);
    expect(Object.keys(entry).sort()).toEqual([
      'created_at',
      'expires_at',
      'id',
      'last_used_at',
      'name',
      'prefix',
      'revoked_at',
      'role',
      'tenant_id',
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(res.body.key);
  });

  it('binds portal keys to a tenant and checks the binding rules', async () => {
    const portal = await createKey({
      name: 'portal A',
      role: 'portal',
      tenant_id: tenantA,
      expires_at: '2099-01-01T00:00:00Z',
    });
    expect(portal.status).toBe(201);
    expect(portal.body).toMatchObject({ role: 'portal', tenant_id: tenantA, expires_at: '2099-01-01T00:00:00.000Z' });
    expect(portal.body.key).toMatch(/^sbk_p_/);

    const cases: Array<[object, number, string]> = [
      [{ name: 'p', role: 'portal' }, 400, 'tenant_id_required'],
      [{ name: 'a', role: 'admin', tenant_id: tenantA }, 400, 'tenant_id_not_allowed'],
      [{ name: 'p', role: 'portal', tenant_id: UNKNOWN_ID }, 404, 'tenant_not_found'],
      [{ name: 'p', role: 'portal', tenant_id: tenantA, expires_at: '2001-01-01T00:00:00Z' }, 400, 'invalid_expiry'],
      [{ name: 'p', role: 'owner' }, 400, 'validation_failed'],
      [{ name: 'p', role: 'portal', tenant_id: 'abc' }, 400, 'validation_failed'],
      [{ name: 'p', role: 'auditor', expires_at: 'tomorrow' }, 400, 'validation_failed'],
      [{ name: '', role: 'auditor' }, 400, 'validation_failed'],
      [{ name: 'p', role: 'auditor', key_hash: 'x' }, 400, 'validation_failed'],
    ];
    for (const [body, status, code] of cases) {
      const res = await createKey(body);
      expect({ body, status: res.status, code: res.body.code }).toEqual({ body, status, code });
    }
    const scopedAuditor = await createKey({ name: 'auditor of A', role: 'auditor', tenant_id: tenantA });
    expect(scopedAuditor.body).toMatchObject({ role: 'auditor', tenant_id: tenantA });
    expect(scopedAuditor.body.key).toMatch(/^sbk_r_/);
  });

  it('filters the list by tenant and pages through it', async () => {
    for (let i = 0; i < 5; i++)
      expect((await createKey({ name: `B${i}`, role: 'portal', tenant_id: tenantB })).status).toBe(201);
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: request.Response = await request(t.url)
        .get('/v1/api-keys')
        .query({ tenant_id: tenantB, limit: 2, ...(cursor ? { cursor } : {}) })
        .set(asAdmin());
      expect(res.status).toBe(200);
      for (const key of res.body.data) expect(key.tenant_id).toBe(tenantB);
      ids.push(...res.body.data.map((k: { id: string }) => k.id));
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(new Set(ids).size).toBe(5);
    expect((await request(t.url).get('/v1/api-keys').query({ tenant_id: 'nope' }).set(asAdmin())).status).toBe(400);
  });

  it('refuses a revoked key on the very next request; revoking again is idempotent', async () => {
    const { body: key } = await createKey({ name: 'to revoke', role: 'admin' });
    expect((await listTenants(bearer(key.key))).status).toBe(200);
    expect((await request(t.url).delete(`/v1/api-keys/${key.id}`).set(asAdmin())).status).toBe(204);
    const res = await listTenants(bearer(key.key));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('revoked_api_key');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="sso-broker", error="invalid_token"');

    const [row] = await t.db.query<{ revoked_at: Date }>('SELECT revoked_at FROM api_keys WHERE id = $1', [key.id]);
    expect((await request(t.url).delete(`/v1/api-keys/${key.id}`).set(asAdmin())).status).toBe(204);
    const [again] = await t.db.query<{ revoked_at: Date }>('SELECT revoked_at FROM api_keys WHERE id = $1', [key.id]);
    expect(again.revoked_at).toEqual(row.revoked_at);
    const listed = await request(t.url).get('/v1/api-keys').query({ limit: 500 }).set(asAdmin());
    expect(listed.body.data.find((k: { id: string }) => k.id === key.id).revoked_at).toBe(row.revoked_at.toISOString());

    expect((await request(t.url).delete(`/v1/api-keys/${UNKNOWN_ID}`).set(asAdmin())).body.code).toBe(
      'api_key_not_found',
    );
    expect((await request(t.url).delete('/v1/api-keys/12345').set(asAdmin())).body.code).toBe('invalid_id');
  });

  it('honours a revocation at once on every instance (LISTEN/NOTIFY), even with a long cache TTL, and after the listener reconnects', async () => {
    // A 60 s TTL on the other instance: only the notification can make it refuse the key in time.
    const other = await createTestApp({
      db: t.db,
      env: { BROKER_BOOTSTRAP_ADMIN_KEY: t.adminKey, API_KEY_CACHE_TTL_MS: '60000' },
    });
    // Until the NOTIFY has arrived there; 10 s is room for a loaded machine, far below the 60 s TTL.
    const refusedOnOther = (key: string, code: string) =>
      pollUntil(
        async () => (await request(other.url).get('/v1/tenants').set(bearer(key))).body.code as string | undefined,
        (answer) => answer === code,
      );
    try {
      const revokeAndCheck = async () => {
        const { body: key } = await createKey({ name: `multi instance ${Date.now()}`, role: 'admin' });
        expect((await listTenants(bearer(key.key))).status).toBe(200);
        expect((await request(other.url).get('/v1/tenants').set(bearer(key.key))).status).toBe(200); // now cached there
        expect((await request(t.url).delete(`/v1/api-keys/${key.id}`).set(asAdmin())).status).toBe(204);
        expect((await listTenants(bearer(key.key))).body.code).toBe('revoked_api_key');
        expect(await refusedOnOther(key.key, 'revoked_api_key')).toBe('revoked_api_key');
      };
      await revokeAndCheck();

      // A deleted tenant's keys (rows gone with the tenant) stop working everywhere too.
      const tenant = (await request(t.url).post('/v1/tenants').set(asAdmin()).send({ name: 'Deleted With Its Keys' }))
        .body;
      const { body: portal } = await createKey({ name: 'doomed portal', role: 'portal', tenant_id: tenant.id });
      const portalList = () => request(other.url).get(`/v1/tenants/${tenant.id}/connections`).set(bearer(portal.key));
      expect((await portalList()).status).toBe(403); // authenticated (portal keys cannot list connections), and cached
      expect((await request(t.url).delete(`/v1/tenants/${tenant.id}`).set(asAdmin())).status).toBe(204);
      expect(await refusedOnOther(portal.key, 'invalid_api_key')).toBe('invalid_api_key');

      // The listening connection dies (e.g. a database restart): the instance reconnects by itself.
      const revocations = other.app.get(ApiKeyRevocations);
      expect(revocations.listening).toBe(true);
      const [{ n }] = await t.db.query<{ n: number }>(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = 'sso-broker-revocations' AND datname = current_database()`,
      );
      expect(n).toBe(2); // one listener per instance
      const until = (state: boolean) =>
        pollUntil(
          () => revocations.listening,
          (listening) => listening === state,
        );
      expect(await until(false)).toBe(false); // noticed the loss (and emptied its cache)
      expect(await until(true)).toBe(true); // listening again
      await revokeAndCheck();
    } finally {
      await other.app.close();
    }
  });

  it('refuses an expired key', async () => {
    const expiresAt = Date.now() + 1500;
    const { body: key } = await createKey({
      name: 'short lived',
      role: 'admin',
      expires_at: new Date(expiresAt).toISOString(),
    });
    expect((await listTenants(bearer(key.key))).status).toBe(200);
    // A real wait, up to the expiry instant: the app runs on the system clock here (the unit spec of
    // ApiKeyAuthenticator moves an injected clock instead), and both sides read the same clock.
    await new Promise((resolve) => setTimeout(resolve, expiresAt - Date.now() + 50));
    const res = await listTenants(bearer(key.key));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('expired_api_key');
  });

  it('answers each authentication failure with its own 401 code and a Bearer challenge', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{}, 'missing_api_key'],
      [{ Authorization: '' }, 'missing_api_key'],
      [{ Authorization: 'Basic dXNlcjpwYXNz' }, 'malformed_api_key'],
      [{ Authorization: 'Bearer' }, 'malformed_api_key'],
      [{ Authorization: 'Bearer a b' }, 'malformed_api_key'],
      [{ Authorization: 'Bearer not-a-key' }, 'malformed_api_key'],
      [{ Authorization: `Bearer ${t.adminKey}x` }, 'malformed_api_key'],
      [{ Authorization: `Bearer ${newAdminKeyText()}` }, 'invalid_api_key'],
    ];
    for (const [headers, code] of cases) {
      const res = await listTenants(headers);
      expect({ headers, status: res.status, code: res.body.code }).toEqual({ headers, status: 401, code });
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="sso-broker"/);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.stringify(res.body)).not.toContain(t.adminKey);
    }
  });

  it('accepts the key only in the Authorization header', async () => {
    const res = await request(t.url).get('/v1/tenants').query({ access_token: t.adminKey });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('malformed_api_key');
  });

  it('forbids wrong roles and keeps a portal key out of other tenants', async () => {
    const { body: portalA } = await createKey({ name: 'portal of A', role: 'portal', tenant_id: tenantA });
    for (const path of [
      `/v1/tenants/${tenantB}`,
      `/v1/tenants/${tenantA}`,
      '/v1/tenants',
      `/v1/api-keys?tenant_id=${tenantB}`,
    ]) {
      const res = await request(t.url).get(path).set(bearer(portalA.key));
      expect({ path, status: res.status, code: res.body.code }).toEqual({ path, status: 403, code: 'forbidden_role' });
    }
    const mint = await request(t.url)
      .post('/v1/api-keys')
      .set(bearer(portalA.key))
      .send({ name: 'escalate', role: 'admin' });
    expect(mint.status).toBe(403);
    const revoke = await request(t.url).delete(`/v1/api-keys/${portalA.id}`).set(bearer(portalA.key));
    expect(revoke.status).toBe(403);
  });

  it('never stores the key text: no column of any key row contains it in any encoding', async () => {
    const created = await Promise.all([
      createKey({ name: 'leak check admin', role: 'admin' }),
      createKey({ name: 'leak check portal', role: 'portal', tenant_id: tenantA }),
    ]);
    const rows = await t.db.query<{ row: string; hash_hex: string }>(
      `SELECT k::text AS row, encode(key_hash, 'hex') AS hash_hex FROM api_keys k`,
    );
    const dump = rows.map((r) => r.row).join('\n');
    for (const { body } of [...created.map((c) => c), { body: { key: t.adminKey } }]) {
      const key: string = body.key;
      const secret = key.slice(6);
      for (const form of [
        key,
        secret,
        Buffer.from(key).toString('hex'),
        Buffer.from(key).toString('base64'),
        Buffer.from(secret, 'base64url').toString('hex'),
      ]) {
        expect(dump).not.toContain(form);
      }
    }
    expect(rows.every((r) => r.hash_hex.length === 64)).toBe(true);
  });

  it('records last_used_at without writing on every request', async () => {
    const { body: key } = await createKey({ name: 'usage', role: 'admin' });
    for (let i = 0; i < 5; i++) expect((await listTenants(bearer(key.key))).status).toBe(200);
    // Written by the tracker's own 5 s flush timer: wait for the row to show it, with room for load.
    const lastUsed = await pollUntil(
      async () =>
        (
          await t.db.query<{ last_used_at: Date | null }>('SELECT last_used_at FROM api_keys WHERE id = $1', [key.id])
        )[0].last_used_at,
      (usedAt) => usedAt !== null,
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    expect(lastUsed).not.toBeNull();
    expect(Math.abs(lastUsed!.getTime() - Date.now())).toBeLessThan(15_000);
    expect((await listTenants(bearer(key.key))).status).toBe(200);
    const [{ last_used_at: after }] = await t.db.query<{ last_used_at: Date }>(
      'SELECT last_used_at FROM api_keys WHERE id = $1',
      [key.id],
    );
    expect(after).toEqual(lastUsed);
  });

  it('keeps the last active admin key: revoking it is 409 until another admin key exists', async () => {
    const admins = await t.db.query<{ id: string }>(
      `SELECT id FROM api_keys WHERE role = 'admin' AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
    );
    const bootstrap = (await t.db.query<{ id: string }>(`SELECT id FROM api_keys WHERE name = 'bootstrap admin'`))[0]
      .id;
    for (const { id } of admins.filter((a) => a.id !== bootstrap)) {
      expect((await request(t.url).delete(`/v1/api-keys/${id}`).set(asAdmin())).status).toBe(204);
    }
    const refused = await request(t.url).delete(`/v1/api-keys/${bootstrap}`).set(asAdmin());
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('last_admin_key');

    const { body: successor } = await createKey({ name: 'successor', role: 'admin' });
    expect((await request(t.url).delete(`/v1/api-keys/${bootstrap}`).set(bearer(successor.key))).status).toBe(204);
    expect((await listTenants(asAdmin())).body.code).toBe('revoked_api_key');
    const self = await request(t.url).delete(`/v1/api-keys/${successor.id}`).set(bearer(successor.key));
    expect(self.status).toBe(409);
  });
});

describe('API key bootstrap', () => {
  it('creates exactly one admin key when two instances start at once on an empty database, and none on restart', async () => {
    const first = await createTestApp({ env: { BROKER_BOOTSTRAP_ADMIN_KEY: '' } });
    try {
      const countAdmins = async () =>
        (await first.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM api_keys WHERE role = 'admin'`))[0].n;
      // first already bootstrapped; wipe and race two fresh instances against the same database.
      await first.db.query('DELETE FROM api_keys');
      const racers = await Promise.all(
        [0, 1].map(() => createTestApp({ db: first.db, env: { BROKER_BOOTSTRAP_ADMIN_KEY: '' } })),
      );
      expect(await countAdmins()).toBe(1);
      for (const racer of racers) await racer.app.close();
      const restarted = await createTestApp({ db: first.db, env: { BROKER_BOOTSTRAP_ADMIN_KEY: newAdminKeyText() } });
      await restarted.app.close();
      expect(await countAdmins()).toBe(1);
    } finally {
      await first.close();
    }
  });

  it('registers BROKER_BOOTSTRAP_ADMIN_KEY by its hash only', async () => {
    const t = await createTestApp();
    try {
      const rows = await t.db.query<{ prefix: string; row: string }>(`SELECT prefix, k::text AS row FROM api_keys k`);
      expect(rows).toHaveLength(1);
      expect(rows[0].prefix).toBe(t.adminKey.slice(0, 12));
      expect(rows[0].row).not.toContain(t.adminKey.slice(12));
      expect(
        (
          await request(t.url)
            .get('/v1/tenants')
            .set({ Authorization: `Bearer ${t.adminKey}` })
        ).status,
      ).toBe(200);
    } finally {
      await t.close();
    }
  });
});
