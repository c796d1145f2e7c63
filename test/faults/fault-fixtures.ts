import request from 'supertest';
import { acronisOptionsFromEnv, startAcronisSimulator } from '@app/acronis-simulator';
import type { TestApp } from '../utils/create-app';

export const LOGIN = 'alice@customer-a.example';

/** A tenant with an Acronis connection to a fresh simulator, and a portal key for it. */
export async function acronisTenant(t: TestApp) {
  const simulator = await startAcronisSimulator({ ...acronisOptionsFromEnv({}), port: 0 });
  const admin = { Authorization: `Bearer ${t.adminKey}` };
  const tenant = (
    await request(t.url)
      .post('/v1/tenants')
      .set(admin)
      .send({ name: `Faults ${Date.now()}` })
  ).body;
  const connection = await request(t.url)
    .post(`/v1/tenants/${tenant.id}/connections`)
    .set(admin)
    .send({
      name: 'acronis',
      provider: 'acronis',
      base_url: simulator.url,
      settings: {
        allowed_target_uris: ['https://portal.example.com/'],
        default_target_uri: 'https://portal.example.com/',
      },
      credentials: { client_id: 'demo-client', client_secret: 'demo-secret' },
    });
  if (connection.status !== 201) throw new Error(`connection: ${connection.status} ${JSON.stringify(connection.body)}`);
  const key = (
    await request(t.url)
      .post('/v1/api-keys')
      .set(admin)
      .send({ name: 'faults portal', role: 'portal', tenant_id: tenant.id })
  ).body;
  const body = { connection: 'acronis', user: { login: LOGIN } };
  const probe = await request(t.url)
    .post('/v1/login-links')
    .set({ Authorization: `Bearer ${key.key}` })
    .send(body);
  if (probe.status !== 201)
    throw new Error(`the fixture issues no link: ${probe.status} ${JSON.stringify(probe.body)}`);
  return { simulator, tenantId: tenant.id as string, portalKey: key.key as string, body };
}

export const UNLIMITED = {
  RATE_LIMIT_PER_KEY_PER_MINUTE: '10000000',
  RATE_LIMIT_PER_TENANT_PER_MINUTE: '10000000',
  RATE_LIMIT_PER_IP_PER_MINUTE: '10000000',
};
