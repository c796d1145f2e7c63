import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-app';
import { fillPath, RouteEntry, routeTable } from './utils/route-table';

type IdKind = 'tenant' | 'connection' | 'api_key' | 'launch' | 'link';
type IdSet = Record<IdKind, string>;
type Role = 'admin' | 'portal_a' | 'auditor_a' | 'global_auditor' | 'no_key';

/**
 * Every path parameter the broker uses and what it names. A route with a parameter missing here
 * fails the matrix: whoever adds it must say which tenant-owned thing it identifies.
 */
function kindOf(route: RouteEntry, param: string): IdKind | undefined {
  if (param === 'tenant_id') return 'tenant';
  if (param === 'connection_id') return 'connection';
  if (param === 'opaque') return 'launch';
  if (param === 'id' && route.path === '/v1/api-keys/:id') return 'api_key';
  if (param === 'id' && route.path === '/v1/login-links/:id') return 'link';
  return undefined;
}

/** Routes answering without an API key, on purpose (docs/api.md#public-routes). */
const PUBLIC_ROUTES = new Set([
  'GET /l/:opaque',
  'POST /l/:opaque',
  'GET /health/live',
  'GET /health/ready',
  'GET /metrics',
  // Sign-in takes the key in its body, not in the Authorization header.
  'POST /v1/console/session',
]);
const TENANT_BOUND: Role[] = ['portal_a', 'auditor_a'];
const ROLES: Role[] = ['admin', 'portal_a', 'auditor_a', 'global_auditor', 'no_key'];

describe('tenant isolation matrix (every route × role × own/foreign/unknown ids)', () => {
  let t: TestApp;
  const keys = {} as Record<Role, string | undefined>;
  let own: IdSet;
  let foreign: IdSet;
  const unknown: IdSet = {
    tenant: randomUUID(),
    connection: randomUUID(),
    api_key: randomUUID(),
    launch: 'unknown-launch-token-0123456789abcdef',
    link: randomUUID(),
  };
  /** Identifiers of tenant B that must never reach a key of tenant A. */
  let foreignMarkers: string[];

  const admin = () => ({ Authorization: `Bearer ${t.adminKey}` });
  const post = async (path: string, body: object, headers = admin()) => {
    const res = await request(t.url).post(path).set(headers).send(body);
    if (res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Record<string, string>;
  };

  async function tenantWithEverything(name: string) {
    const tenant = await post('/v1/tenants', { name });
    const connection = await post(`/v1/tenants/${tenant.id}/connections`, {
      name: 'acronis-main',
      provider: 'acronis',
      base_url: 'https://acronis.example.com',
      settings: { allowed_target_uris: ['https://portal.example.com/'] },
      credentials: { client_id: `client-${name}`, client_secret: `secret-${name}-0123456789` },
    });
    const portal = await post('/v1/api-keys', { name: `portal ${name}`, role: 'portal', tenant_id: tenant.id });
    const auditor = await post('/v1/api-keys', { name: `auditor ${name}`, role: 'auditor', tenant_id: tenant.id });
    const link = await post(
      '/v1/login-links',
      { connection: 'acronis-main', user: { login: `user@${name}.example` }, delivery: 'launch' },
      { Authorization: `Bearer ${portal.key}` },
    );
    return { tenant, connection, portal, auditor, link };
  }

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        RATE_LIMIT_PER_KEY_PER_MINUTE: '1000000',
        RATE_LIMIT_PER_TENANT_PER_MINUTE: '1000000',
        RATE_LIMIT_PER_IP_PER_MINUTE: '1000000',
      },
    });
    const a = await tenantWithEverything('tenant-a');
    const b = await tenantWithEverything('tenant-b');
    const globalAuditor = await post('/v1/api-keys', { name: 'global auditor', role: 'auditor' });
    Object.assign(keys, {
      admin: t.adminKey,
      portal_a: a.portal.key,
      auditor_a: a.auditor.key,
      global_auditor: globalAuditor.key,
      no_key: undefined,
    });
    own = {
      tenant: a.tenant.id,
      connection: a.connection.id,
      api_key: a.portal.id,
      launch: unknown.launch,
      link: a.link.id,
    };
    foreign = {
      tenant: b.tenant.id,
      connection: b.connection.id,
      api_key: b.portal.id,
      launch: unknown.launch,
      link: b.link.id,
    };
    foreignMarkers = [
      b.tenant.id,
      b.connection.id,
      b.portal.id,
      b.auditor.id,
      b.link.id,
      b.tenant.slug,
      'user@tenant-b.example',
    ];
  }, 60_000);
  afterAll(async () => t?.close());

  it('covers every route, and every route parameter is classified', () => {
    const routes = routeTable(t.app);
    const labels = routes.map((r) => `${r.method} ${r.path}`);
    expect(labels).toEqual(
      expect.arrayContaining([
        'POST /v1/login-links',
        'GET /l/:opaque',
        'POST /l/:opaque',
        'GET /v1/login-links/:id',
        'DELETE /v1/login-links/:id',
        'POST /v1/tenants/:tenant_id/login-links/revoke',
        'GET /v1/tenants/:tenant_id',
        'DELETE /v1/api-keys/:id',
        'GET /v1/tenants/:tenant_id/connections/:connection_id',
        'GET /v1/audit-events',
      ]),
    );
    const unclassified = routes.flatMap((r) =>
      r.params.filter((p) => kindOf(r, p) === undefined).map((p) => `${r.method} ${r.path} :${p}`),
    );
    expect(unclassified).toEqual([]);
  });

  it('0 crossings: no key of tenant A reads or changes anything of tenant B, and no answer is a 500', async () => {
    const failures: string[] = [];
    let requests = 0;
    for (const route of routeTable(t.app)) {
      const label = `${route.method} ${route.path}`;
      for (const role of ROLES) {
        for (const [setName, ids] of [
          ['own', own],
          ['foreign', foreign],
          ['unknown', unknown],
        ] as const) {
          // Admin-wide keys may legitimately change tenant B; mutate only unknown ids with them.
          const mutating = route.method !== 'GET';
          if (mutating && !TENANT_BOUND.includes(role) && role !== 'no_key' && setName !== 'unknown') continue;
          const values = Object.fromEntries(route.params.map((p) => [p, ids[kindOf(route, p)!]]));
          const path = fillPath(route.path, values);
          const variants = route.method === 'GET' ? [path, `${path}?tenant_id=${ids.tenant}`] : [path];
          for (const url of variants) {
            const req = request(t.url)[route.method.toLowerCase() as 'get'](url);
            if (keys[role]) req.set('Authorization', `Bearer ${keys[role]}`);
            if (mutating)
              req.send({
                connection: ids.connection,
                tenant_id: ids.tenant,
                user: { login: 'matrix-user' },
                name: 'matrix',
              });
            const res = await req.catch((error: Error) => error);
            requests++;
            if (res instanceof Error) {
              failures.push(`${res.message}: ${role} ${setName} ${route.method} ${url}`);
              continue;
            }
            const where = `${role} ${setName} ${route.method} ${url} → ${res.status}`;
            if (res.status >= 500) failures.push(`500: ${where}`);
            if (role === 'no_key' && !PUBLIC_ROUTES.has(label) && res.status !== 401)
              failures.push(`not 401 without a key: ${where}`);
            if (role === 'no_key' && PUBLIC_ROUTES.has(label) === false && res.status < 400)
              failures.push(`open route: ${where}`);
            if (TENANT_BOUND.includes(role)) {
              const body = `${res.text ?? ''}${JSON.stringify(res.headers)}`;
              const leaked = foreignMarkers.filter((marker) => body.includes(marker));
              if (leaked.length > 0) failures.push(`leaked ${leaked.join(',')}: ${where}`);
              if (setName === 'foreign' && route.params.length > 0 && res.status < 400)
                failures.push(`reached a foreign id: ${where}`);
            }
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(routeTable(t.app).length * ROLES.length * 2);
  });

  it("leaves tenant B's data as it was", async () => {
    const [row] = await t.db.query<{ status: string; connections: string; keys: string; links: string }>(
      `SELECT t.status,
        (SELECT count(*) FROM connections WHERE tenant_id = t.id)::text AS connections,
        (SELECT count(*) FROM api_keys WHERE tenant_id = t.id AND revoked_at IS NULL)::text AS keys,
        (SELECT count(*) FROM login_links WHERE tenant_id = t.id AND redeemed_at IS NULL AND revoked_at IS NULL)::text AS links
       FROM tenants t WHERE t.id = $1`,
      [foreign.tenant],
    );
    expect(row).toEqual({ status: 'active', connections: '1', keys: '2', links: '1' });
  });
});
