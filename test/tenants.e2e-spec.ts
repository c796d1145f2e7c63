import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-app';

interface Tenant {
  id: string;
  slug: string;
  name: string;
  status: string;
  created_at: string;
  updated_at: string;
}

describe('tenants (admin)', () => {
  let t: TestApp;
  const asAdmin = () => ({ Authorization: `Bearer ${t.adminKey}` });
  const create = (body: object) => request(t.url).post('/v1/tenants').set(asAdmin()).send(body);

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('creates a tenant, deriving the slug from the name', async () => {
    const res = await create({ name: '  Crème Brûlée, Inc.  ' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      slug: 'creme-brulee-inc',
      name: 'Crème Brûlée, Inc.',
      status: 'active',
      rate_limit_per_minute: null,
      max_launch_expires_in: null,
      created_at: expect.any(String),
      updated_at: res.body.created_at,
    });
    const fetched = await request(t.url).get(`/v1/tenants/${res.body.id}`).set(asAdmin());
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(res.body);
  });

  it('keeps an explicit slug and answers 409 tenant_slug_taken for a duplicate', async () => {
    expect((await create({ name: 'Dup One', slug: 'dup' })).status).toBe(201);
    const res = await create({ name: 'Dup Two', slug: 'dup' });
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'tenant_slug_taken', errors: [{ field: 'slug' }] });
  });

  it('lets exactly one of several concurrent creates with one slug win', async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => create({ name: `Racer ${i}`, slug: 'racer' })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
  });

  it('asks for an explicit slug when the name yields none', async () => {
    const res = await create({ name: '東京' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'tenant_slug_required', errors: [{ field: 'slug' }] });
    expect((await create({ name: '東京', slug: 'tokyo' })).body).toMatchObject({ name: '東京', slug: 'tokyo' });
  });

  it.each([
    [{}, 'name'],
    [{ name: '   ' }, 'name'],
    [{ name: 'x'.repeat(201) }, 'name'],
    [{ name: 42 }, 'name'],
    [{ name: 'Bad Slug', slug: 'Bad_Slug' }, 'slug'],
    [{ name: 'Bad Slug', slug: '-edge-' }, 'slug'],
    [{ name: 'Extra', owner: 'me' }, 'owner'],
  ])('rejects %j with 400 naming %s', async (body, field) => {
    const res = await create(body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('answers 404 tenant_not_found for an unknown id and 400 invalid_id for a malformed one', async () => {
    const unknown = await request(t.url).get('/v1/tenants/0f8fad5b-d9cb-469f-a165-70867728950e').set(asAdmin());
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('tenant_not_found');
    for (const bad of ['not-a-uuid', "1' OR '1'='1", '0f8fad5b-d9cb-469f-a165-70867728950']) {
      const res = await request(t.url)
        .get(`/v1/tenants/${encodeURIComponent(bad)}`)
        .set(asAdmin());
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('invalid_id');
    }
  });

  it('pages through every tenant exactly once, in creation order, across more than two pages', async () => {
    for (let i = 0; i < 7; i++) expect((await create({ name: `Paged ${i}` })).status).toBe(201);
    const seen: Tenant[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: request.Response = await request(t.url)
        .get('/v1/tenants')
        .query(cursor ? { limit: 3, cursor } : { limit: 3 })
        .set(asAdmin());
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.data);
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor !== null);
    const all = await request(t.url).get('/v1/tenants').query({ limit: 500 }).set(asAdmin());
    expect(all.body.next_cursor).toBeNull();
    expect(pages).toBeGreaterThan(2);
    expect(seen).toEqual(all.body.data);
    expect(new Set(seen.map((x) => x.id)).size).toBe(seen.length);
    const order = seen.map((x) => `${x.created_at}|${x.id}`);
    expect(order).toEqual([...order].sort());
  });

  it('rejects a forged cursor and an out-of-range limit with 400', async () => {
    const forged = await request(t.url).get('/v1/tenants').query({ cursor: 'bm90LWEtY3Vyc29y' }).set(asAdmin());
    expect(forged.status).toBe(400);
    expect(forged.body.code).toBe('invalid_cursor');
    // Decodable cursors whose timestamp Date.parse accepts but PostgreSQL does not (they used to answer 500).
    for (const t0 of ['1', 'foo 2020', '2026-01-01\u0000']) {
      const cursor = Buffer.from(JSON.stringify({ t: t0, id: '00000000-0000-4000-8000-000000000000' })).toString(
        'base64url',
      );
      const res = await request(t.url).get('/v1/tenants').query({ cursor }).set(asAdmin());
      expect({ t0, status: res.status, code: res.body.code }).toEqual({ t0, status: 400, code: 'invalid_cursor' });
    }
    for (const limit of [0, 501, 'ten']) {
      expect((await request(t.url).get('/v1/tenants').query({ limit }).set(asAdmin())).status).toBe(400);
    }
  });

  it('renames, suspends and reactivates a tenant', async () => {
    const { body: tenant } = await create({ name: 'Lifecycle' });
    const patch = (body: object) => request(t.url).patch(`/v1/tenants/${tenant.id}`).set(asAdmin()).send(body);

    const renamed = await patch({ name: 'Lifecycle Renamed' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({
      id: tenant.id,
      slug: tenant.slug,
      name: 'Lifecycle Renamed',
      status: 'active',
    });
    expect(Date.parse(renamed.body.updated_at)).toBeGreaterThan(Date.parse(tenant.updated_at));

    expect((await patch({ status: 'suspended' })).body.status).toBe('suspended');
    expect((await request(t.url).get(`/v1/tenants/${tenant.id}`).set(asAdmin())).body.status).toBe('suspended');
    expect((await patch({ status: 'active' })).body.status).toBe('active');
  });

  it('rejects an empty patch, an unknown status and an unknown tenant', async () => {
    const { body: tenant } = await create({ name: 'Patch Errors' });
    const empty = await request(t.url).patch(`/v1/tenants/${tenant.id}`).set(asAdmin()).send({});
    expect(empty.status).toBe(400);
    expect(empty.body.code).toBe('empty_patch');
    const bogus = await request(t.url).patch(`/v1/tenants/${tenant.id}`).set(asAdmin()).send({ status: 'deleted' });
    expect(bogus.status).toBe(400);
    expect(bogus.body.errors).toEqual([expect.objectContaining({ field: 'status' })]);
    const slugChange = await request(t.url).patch(`/v1/tenants/${tenant.id}`).set(asAdmin()).send({ slug: 'new-slug' });
    expect(slugChange.status).toBe(400);
    const unknown = await request(t.url)
      .patch('/v1/tenants/0f8fad5b-d9cb-469f-a165-70867728950e')
      .set(asAdmin())
      .send({ name: 'x' });
    expect(unknown.status).toBe(404);
  });

  it('deletes a tenant with its API keys; a second delete is 404', async () => {
    const { body: tenant } = await create({ name: 'Doomed' });
    const portal = await request(t.url)
      .post('/v1/api-keys')
      .set(asAdmin())
      .send({ name: 'doomed portal', role: 'portal', tenant_id: tenant.id });
    expect(portal.status).toBe(201);

    const deleted = await request(t.url).delete(`/v1/tenants/${tenant.id}`).set(asAdmin());
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await request(t.url).get(`/v1/tenants/${tenant.id}`).set(asAdmin())).status).toBe(404);
    expect((await request(t.url).delete(`/v1/tenants/${tenant.id}`).set(asAdmin())).status).toBe(404);
    expect(await t.db.query('SELECT id FROM api_keys WHERE id = $1', [portal.body.id])).toEqual([]);
    const withOldKey = await request(t.url)
      .get('/v1/tenants')
      .set({ Authorization: `Bearer ${portal.body.key}` });
    expect(withOldKey.status).toBe(401);
    expect(withOldKey.body.code).toBe('invalid_api_key');
  });

  it('refuses every tenant route without an admin key', async () => {
    expect((await request(t.url).get('/v1/tenants')).body.code).toBe('missing_api_key');
    const { body: tenant } = await create({ name: 'Guarded' });
    const auditor = await request(t.url).post('/v1/api-keys').set(asAdmin()).send({ name: 'aud', role: 'auditor' });
    const res = await request(t.url)
      .get(`/v1/tenants/${tenant.id}`)
      .set({ Authorization: `Bearer ${auditor.body.key}` });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('forbidden_role');
  });
});
