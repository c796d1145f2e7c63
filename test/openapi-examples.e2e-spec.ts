import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { acronisOptionsFromEnv, AcronisSimulator, startAcronisSimulator } from '@app/acronis-simulator';
import { FlussonicSimulator, startFlussonicSimulator } from '@app/flussonic-simulator';
import {
  EXAMPLE_ACRONIS_URL,
  EXAMPLE_API_KEY,
  EXAMPLE_FLUSSONIC_URL,
  EXAMPLE_TENANT_ID,
} from '../apps/broker/src/bootstrap/openapi-examples';
import { createTestApp, TestApp } from './utils/create-app';

interface Operation {
  operationId: string;
  requestBody?: { content: Record<string, { examples?: Record<string, { value: unknown }> }> };
}
const document = JSON.parse(readFileSync(join(__dirname, '../libs/client/openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
};

/** Every operation with a body, and its documented examples, in an order where each finds what it needs. */
const ORDER = [
  'createTenant',
  'createConnection',
  'createApiKey',
  'issueLoginLink',
  'revokeTenantLoginLinks',
  'updateConnection',
  'rotateConnectionCredentials',
  'updateTenant',
  'createConsoleSession',
];
const withBodies = Object.entries(document.paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([, operation]) => operation.requestBody)
    .map(([method, operation]) => ({ path, method, operation })),
);

describe('OpenAPI request examples: every documented example is accepted by a running broker', () => {
  let t: TestApp;
  let acronis: AcronisSimulator;
  let flussonic: FlussonicSimulator;
  let tenantId: string;
  let portalKey: string;
  const connections: Record<string, string> = {};

  beforeAll(async () => {
    [t, acronis, flussonic] = await Promise.all([
      createTestApp(),
      startAcronisSimulator({ ...acronisOptionsFromEnv({}), port: 0 }),
      startFlussonicSimulator({ apiKey: 'watcher-api-key', users: [{ login: 'viewer@customer-a.example' }] }),
    ]);
    // The tenant the examples' ids stand for; the examples' own createTenant makes another one.
    const tenant = await fetch(`${t.url}/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Examples' }),
    });
    tenantId = ((await tenant.json()) as { id: string }).id;
  });
  afterAll(async () => {
    await Promise.all([t?.close(), acronis?.close(), flussonic?.close()]);
  });

  it('lists an order for every operation with a body', () => {
    expect(withBodies.map((o) => o.operation.operationId).sort()).toEqual([...ORDER].sort());
  });

  /** The example's placeholders (tenant id, upstream URLs, the sign-in key) replaced by the test's real ones. */
  function realised(value: unknown): unknown {
    return JSON.parse(
      JSON.stringify(value)
        .replaceAll(EXAMPLE_TENANT_ID, tenantId)
        .replaceAll(EXAMPLE_API_KEY, t.adminKey)
        .replaceAll(EXAMPLE_ACRONIS_URL, acronis.url)
        .replaceAll(EXAMPLE_FLUSSONIC_URL, flussonic.url),
    );
  }

  it.each(ORDER)('%s: each example is accepted', async (operationId) => {
    const { path, method, operation } = withBodies.find((o) => o.operation.operationId === operationId)!;
    const examples = Object.entries(operation.requestBody!.content['application/json'].examples ?? {});
    expect(examples.length).toBeGreaterThan(0);
    for (const [name, example] of examples) {
      // A connection's examples are named after its provider; other routes use the acronis one.
      const url = path
        .replace('{tenant_id}', tenantId)
        .replace('{connection_id}', connections[name] ?? connections.acronis);
      const key = operationId === 'issueLoginLink' ? portalKey : t.adminKey;
      const res = await fetch(`${t.url}${url}`, {
        method: method.toUpperCase(),
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(realised(example.value)),
      });
      const body = (await res.json()) as Record<string, unknown>;
      const created = operationId.startsWith('create') || operationId === 'issueLoginLink';
      // The example's name and the problem's code and detail in the comparison, so that a refusal says which and why.
      expect({ example: name, status: res.status, code: body.code, detail: body.detail }).toEqual({
        example: name,
        status: created ? 201 : 200,
        code: undefined,
        detail: undefined,
      });
      if (operationId === 'createConnection') connections[name] = body.id as string;
      if (operationId === 'createApiKey' && body.role === 'portal') portalKey = body.key as string;
    }
  });
});
