import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-app';
import { fillPath, RouteEntry, routeTable } from './utils/route-table';

const COUNTS_SQL = `SELECT
  (SELECT count(*) FROM tenants)::int AS tenants, (SELECT count(*) FROM connections)::int AS connections,
  (SELECT count(*) FROM connection_secrets)::int AS secrets, (SELECT count(*) FROM api_keys)::int AS api_keys,
  (SELECT count(*) FROM login_links)::int AS links, (SELECT count(*) FROM audit_events WHERE outcome = 'success')::int AS audit_successes`;

const deepNesting = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** Raw bodies: JSON of any shape, malformed text, prototype-pollution keys, huge and deep values. */
const rawBody = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.jsonValue({ stringUnit: 'binary' }).map((v) => JSON.stringify(v)),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc
    .dictionary(
      fc.constantFrom('__proto__', 'constructor', 'prototype', 'name', 'connection', 'user', 'credentials', 'settings'),
      fc.jsonValue(),
      { maxKeys: 5 },
    )
    .map((o) => JSON.stringify(o).replace('"prototype"', '"__proto__"')),
  fc.constantFrom(
    '{"__proto__":{"role":"admin","isAdmin":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"name":"x","__proto__":{"status":"active"}}',
    '{"user":{"__proto__":{"login":"x"}},"connection":"acronis-main"}',
    deepNesting(5000),
    deepObject(5000),
    `{"name":"${'é'.repeat(30_000)}"}`,
    `{"name":"${'x'.repeat(70_000)}"}`,
    '{"name":"\\ud800"}',
    '{"name":"a\\u0000b"}',
    '{"name": 1e999}',
    '{"a":1,"a":2}',
    '',
    'null',
    '[]',
    '"string"',
    '{',
  ),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-16',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/merge-patch+json',
);
/** A Content-Encoding header and the bytes sent under it: valid, corrupt, truncated, lying or unknown. */
const encodedBody = fc
  .tuple(
    fc.oneof(
      fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'gzip, br', 'x-gzip', 'compress', 'GZIP'),
      fc.string({ maxLength: 20 }),
    ),
    rawBody,
    fc.constantFrom('valid', 'truncated', 'garbage', 'plain'),
    fc.uint8Array({ maxLength: 64 }),
  )
  .map(([encoding, text, shape, noise]) => {
    const plain = Buffer.from(text);
    const compress = encoding.toLowerCase().startsWith('br')
      ? brotliCompressSync
      : encoding.toLowerCase().startsWith('deflate')
        ? deflateSync
        : gzipSync;
    const valid = compress(plain);
    const bytes =
      shape === 'valid'
        ? valid
        : shape === 'truncated'
          ? valid.subarray(0, valid.length >> 1)
          : shape === 'garbage'
            ? Buffer.from(noise)
            : plain;
    return { encoding, bytes };
  });
const pathValue = fc.oneof(
  fc.uuid(),
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('00000000-0000-0000-0000-000000000000', '..', '%00', 'null', ' ', 'ä'),
);
const queryValue = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('-1', '0', '501', '1e9', 'NaN', '[]', '2026-13-45', '__proto__', 'a\u0000b', '%00'),
);

describe('bad-input fuzz over every route', () => {
  let t: TestApp;
  let ids: Record<string, string>;
  let routes: RouteEntry[];

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        RATE_LIMIT_PER_KEY_PER_MINUTE: '1000000',
        RATE_LIMIT_PER_IP_PER_MINUTE: '1000000',
        RATE_LIMIT_PER_TENANT_PER_MINUTE: '1000000',
      },
    });
    const admin = { Authorization: `Bearer ${t.adminKey}` };
    const tenant = (await request(t.url).post('/v1/tenants').set(admin).send({ name: 'Fuzz Tenant' })).body;
    const connection = (
      await request(t.url)
        .post(`/v1/tenants/${tenant.id}/connections`)
        .set(admin)
        .send({
          name: 'acronis-main',
          provider: 'acronis',
          base_url: 'https://acronis.example.com',
          settings: { allowed_target_uris: ['https://portal.example.com/'] },
          credentials: { bearer_token: 'fuzz-bearer-token-0123456789' },
        })
    ).body;
    const key = (
      await request(t.url)
        .post('/v1/api-keys')
        .set(admin)
        .send({ name: 'fuzz portal', role: 'portal', tenant_id: tenant.id })
    ).body;
    ids = { tenant_id: tenant.id, connection_id: connection.id, id: key.id, opaque: 'fuzz-unknown-opaque-token' };
    routes = routeTable(t.app);
  }, 60_000);
  afterAll(async () => t?.close());

  it('answers every malformed body with a 4xx problem, never a 500, a crash or a partial write', async () => {
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), rawBody, contentType, async (route, body, type) => {
        const before = (await t.db.query(COUNTS_SQL))[0];
        const res = await request(t.url)
          [route.method.toLowerCase() as 'post'](fillPath(route.path, ids))
          .set('Authorization', `Bearer ${t.adminKey}`)
          .set('Content-Type', type)
          .send(body)
          .catch((error: Error) => error);
        if (res instanceof Error) {
          failures.push(`${res.message}: ${route.method} ${route.path} ${type} ${body.slice(0, 80)}`);
          return;
        }
        if (res.status >= 500)
          failures.push(`${res.status}: ${route.method} ${route.path} ${type} ${body.slice(0, 80)}`);
        if (res.status >= 400) {
          if (
            !String(res.headers['content-type']).startsWith('application/problem+json') &&
            route.path !== '/l/:opaque'
          ) {
            failures.push(`not problem+json (${res.status}): ${route.method} ${route.path}`);
          }
          const after = (await t.db.query(COUNTS_SQL))[0];
          if (JSON.stringify(after) !== JSON.stringify(before))
            failures.push(`partial write on ${res.status}: ${route.method} ${route.path} ${body.slice(0, 80)}`);
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 400) },
    );
    expect(failures).toEqual([]);
    expect((await request(t.url).get('/v1/tenants').set('Authorization', `Bearer ${t.adminKey}`)).status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers every Content-Encoding, valid or not, with a 2xx/4xx answer, never a 500 or a partial write', async () => {
    const failures: string[] = [];
    const writes = routes.filter((route) => route.method !== 'GET' && route.method !== 'DELETE');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...writes), encodedBody, async (route, { encoding, bytes }) => {
        const before = (await t.db.query(COUNTS_SQL))[0];
        const res = await fetch(`${t.url}${fillPath(route.path, ids)}`, {
          method: route.method,
          headers: {
            Authorization: `Bearer ${t.adminKey}`,
            'Content-Type': 'application/json',
            'Content-Encoding': encoding.replace(/[^\x20-\x7e]/g, ''),
          },
          body: bytes,
        }).catch((error: Error) => error);
        if (res instanceof Error) {
          failures.push(`${res.message}: ${route.method} ${route.path} ${encoding}`);
          return;
        }
        const type = res.headers.get('content-type') ?? '';
        if (res.status >= 500) failures.push(`${res.status}: ${route.method} ${route.path} ${encoding}`);
        if (res.status >= 400 && !type.startsWith('application/problem+json') && route.path !== '/l/:opaque')
          failures.push(`not problem+json (${res.status}): ${route.method} ${route.path} ${encoding}`);
        await res.arrayBuffer();
        if (res.status >= 400) {
          const after = (await t.db.query(COUNTS_SQL))[0];
          if (JSON.stringify(after) !== JSON.stringify(before))
            failures.push(`partial write on ${res.status}: ${route.method} ${route.path} ${encoding}`);
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
    );
    expect(failures).toEqual([]);
  });

  it('refuses deeply nested JSON on every route with 400 json_too_deep (it used to overflow the validation stack: 500)', async () => {
    for (const route of routes.filter((r) => r.method !== 'GET')) {
      for (const body of [deepNesting(5000), deepObject(5000)]) {
        const res = await request(t.url)
          [route.method.toLowerCase() as 'post'](fillPath(route.path, ids))
          .set('Authorization', `Bearer ${t.adminKey}`)
          .set('Content-Type', 'application/json')
          .send(body);
        expect({ route: `${route.method} ${route.path}`, status: res.status, code: res.body.code }).toEqual({
          route: `${route.method} ${route.path}`,
          status: 400,
          code: 'json_too_deep',
        });
      }
    }
  });

  it('refuses a NUL character in a body string, a path or a query with 400 invalid_characters on every route (PostgreSQL text cannot hold one: it used to answer 500)', async () => {
    for (const route of routes) {
      const attempts = [
        request(t.url)[route.method.toLowerCase() as 'get'](`${fillPath(route.path, ids)}?login=a%00b`),
      ];
      if (route.method !== 'GET') {
        attempts.push(
          request(t.url)
            [route.method.toLowerCase() as 'post'](fillPath(route.path, ids))
            .set('Content-Type', 'application/json')
            .send('{"name":"a\\u0000b"}'),
        );
      }
      for (const attempt of attempts) {
        const res = await attempt.set('Authorization', `Bearer ${t.adminKey}`);
        expect({ route: `${route.method} ${route.path}`, status: res.status, code: res.body.code }).toEqual({
          route: `${route.method} ${route.path}`,
          status: 400,
          code: 'invalid_characters',
        });
      }
    }
  });

  it('answers malformed path and query values with 4xx, never a 500', async () => {
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes.filter((r) => r.method === 'GET' || r.params.length > 0)),
        pathValue,
        fc.dictionary(
          fc.constantFrom(
            'limit',
            'cursor',
            'tenant_id',
            'from',
            'to',
            'action',
            'outcome',
            'format',
            'login',
            'actor_id',
          ),
          queryValue,
          { maxKeys: 4 },
        ),
        async (route, value, query) => {
          const path = fillPath(route.path, Object.fromEntries(route.params.map((p) => [p, value])));
          const res = await request(t.url)
            [route.method.toLowerCase() as 'get'](path)
            .query(query)
            .set('Authorization', `Bearer ${t.adminKey}`)
            .catch((error: Error) => error);
          if (res instanceof Error) failures.push(`${res.message}: ${route.method} ${path}`);
          else if (res.status >= 500) failures.push(`${res.status}: ${route.method} ${path} ${JSON.stringify(query)}`);
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
    );
    expect(failures).toEqual([]);
  });
});
