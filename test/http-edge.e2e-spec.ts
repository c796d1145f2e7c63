import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-app';

describe('HTTP edge: problem+json, body limits, docs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('answers an unknown route with a problem+json 404', async () => {
    const res = await request(t.url).get('/v1/nope');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 404, code: 'not_found', type: 'urn:sso-broker:problem:not_found' });
  });

  it('serves the OpenAPI document and the Swagger UI without a key', async () => {
    const spec = await request(t.url).get('/openapi.json');
    expect(spec.status).toBe(200);
    expect(spec.body.openapi).toMatch(/^3\./);
    expect(spec.body.components.securitySchemes['api-key']).toMatchObject({ type: 'http', scheme: 'bearer' });
    const conflict = spec.body.paths['/v1/tenants'].post.responses['409'].content['application/problem+json'];
    expect(conflict.schema).toEqual({ $ref: '#/components/schemas/Problem' });
    expect(conflict.example).toMatchObject({ status: 409, code: 'tenant_slug_taken' });
    const ui = await request(t.url).get('/docs/');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
  });
});
