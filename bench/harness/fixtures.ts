import type { LoadRequest } from './load';

export const ACRONIS_CLIENT = { client_id: 'demo-client', client_secret: 'demo-secret' };
export const ACRONIS_LOGIN = 'alice@customer-a.example';
export const FLUSSONIC_API_KEY = 'bench-watcher-api-key';
export const FLUSSONIC_LOGINS = ['viewer1', 'viewer2', 'viewer3', 'viewer4'];

async function call(url: string, adminKey: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const answer = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await answer.json()) as Record<string, unknown>;
  if (answer.status !== 201) throw new Error(`POST ${path} answered ${answer.status}: ${JSON.stringify(json)}`);
  return json;
}

/**
 * Through the broker's own API: `tenants` tenants, each with an Acronis and a Flussonic
 * connection and a portal key; answers the request mix (every tenant × both providers).
 */
export async function createFixtures(
  brokerUrl: string,
  adminKey: string,
  upstream: { acronisUrl: string; flussonicUrl: string },
  tenants: number,
): Promise<{ requests: LoadRequest[]; tenantIds: string[] }> {
  const requests: LoadRequest[] = [];
  const tenantIds: string[] = [];
  for (let i = 0; i < tenants; i++) {
    const tenant = await call(brokerUrl, adminKey, '/v1/tenants', { name: `Bench Tenant ${i}` });
    const tenantId = String(tenant.id);
    tenantIds.push(tenantId);
    const tenantPath = `/v1/tenants/${tenantId}/connections`;
    await call(brokerUrl, adminKey, tenantPath, {
      name: 'acronis',
      provider: 'acronis',
      base_url: upstream.acronisUrl,
      settings: { allowed_target_uris: ['https://portal.example/'], default_target_uri: 'https://portal.example/' },
      credentials: ACRONIS_CLIENT,
    });
    await call(brokerUrl, adminKey, tenantPath, {
      name: 'flussonic',
      provider: 'flussonic',
      base_url: upstream.flussonicUrl,
      settings: {},
      credentials: { api_key: FLUSSONIC_API_KEY },
    });
    const key = await call(brokerUrl, adminKey, '/v1/api-keys', {
      name: `bench portal ${i}`,
      role: 'portal',
      tenant_id: tenantId,
    });
    const headers = { authorization: `Bearer ${String(key.key)}` };
    requests.push({ headers, body: JSON.stringify({ connection: 'acronis', user: { login: ACRONIS_LOGIN } }) });
    requests.push({
      headers,
      body: JSON.stringify({ connection: 'flussonic', user: { login: FLUSSONIC_LOGINS[i % FLUSSONIC_LOGINS.length] } }),
    });
  }
  return { requests, tenantIds };
}
