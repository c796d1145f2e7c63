import { connect } from 'node:net';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { FlussonicSimulator, startFlussonicSimulator } from '@app/flussonic-simulator';
import { LogCapture } from '../libs/observability/src/testing-log-capture';
import request from 'supertest';
import { createTestApp, newAdminKeyText, TestApp } from './utils/create-app';

/**
 * The HTTP edge under attack (issue 10 part 3): each finding reproduced on the old code is a
 * test named after it. Uses its own broker so the log capture and a low failed-auth budget do
 * not leak into other files.
 */
describe('edge hardening', () => {
  let t: TestApp;
  let flussonic: FlussonicSimulator;
  const logs = new LogCapture();
  const admin = () => ({ Authorization: `Bearer ${t.adminKey}` });
  /** The bytes exactly as given (supertest would JSON-encode a Buffer sent as application/json). */
  const rawPost = async (path: string, headers: Record<string, string>, body: Buffer) => {
    const res = await fetch(`${t.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body,
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: Object.fromEntries(res.headers),
      body: JSON.parse(text) as Record<string, unknown>,
    };
  };

  beforeAll(async () => {
    [t, flussonic] = await Promise.all([
      createTestApp({
        logDestination: logs,
        env: {
          LOG_LEVEL: 'info',
          HTTP_HEADERS_TIMEOUT_MS: '1000',
          HTTP_REQUEST_TIMEOUT_MS: '2000',
          RATE_LIMIT_AUTH_FAILURES_PER_IP_PER_MINUTE: '5',
          // The failed-auth test comes "from" another address, so its block does not hit the others.
          TRUST_PROXY: '127.0.0.1',
        },
      }),
      startFlussonicSimulator({ apiKey: 'watcher-key', users: [{ login: 'viewer' }] }),
    ]);
  });
  afterAll(async () => {
    await t?.close();
    await flussonic?.close();
  });

  it('logs hold no credentials: the Idempotency-Key header and secret-named query parameters are redacted', async () => {
    const idempotencyKey = `idem-${newAdminKeyText().slice(6, 30)}`;
    const urlKey = newAdminKeyText();
    await request(t.url)
      .post('/v1/login-links')
      .set(admin())
      .set('Idempotency-Key', idempotencyKey)
      .send({ tenant_id: '0f8fad5b-d9cb-469f-a165-70867728950e', connection: 'x', user: { login: 'a' } });
    const res = await request(t.url).get(`/v1/tenants?limit=5&access_token=${urlKey}&Api_Key=${urlKey}&token=x1y2`);
    expect(res.status).toBe(401);
    const text = logs.text;
    expect(text).not.toContain(idempotencyKey);
    expect(text).not.toContain(urlKey);
    expect(text).not.toContain('x1y2');
    expect(text).toContain('access_token=[Redacted]');
    expect(text).toContain('limit=5');
  });

  describe('corrupt Content-Encoding answers 400 malformed_body, an unknown one 415, never a 500 or an error-level log', () => {
    const body = Buffer.from(JSON.stringify({ name: 'Encoded Tenant' }));
    const truncated = (buf: Buffer) => buf.subarray(0, Math.floor(buf.length / 2));

    it.each([
      ['gzip', gzipSync(body)],
      ['deflate', deflateSync(body)],
      ['deflate', deflateRawSync(body)],
      ['br', brotliCompressSync(body)],
      ['gzip, br', brotliCompressSync(gzipSync(body))],
      ['identity', body],
    ])('decodes a valid %s body', async (encoding, bytes) => {
      await t.db.query(`DELETE FROM tenants WHERE slug = 'encoded-tenant'`);
      const res = await rawPost('/v1/tenants', { ...admin(), 'Content-Encoding': encoding }, bytes);
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 201, code: undefined });
    });

    it.each([
      ['gzip', truncated(gzipSync(body))],
      ['gzip', Buffer.from('not gzip at all')],
      ['deflate', Buffer.from('not deflate data, not even raw')],
      ['br', Buffer.from([0xff, 0xff, 0xff, 0xff])],
      ['br', truncated(brotliCompressSync(body))],
    ])('answers a corrupt %s body with 400 malformed_body', async (encoding, bytes) => {
      const res = await rawPost('/v1/tenants', { ...admin(), 'Content-Encoding': encoding }, bytes);
      expect({ status: res.status, code: res.body.code, type: res.headers['content-type'] }).toEqual({
        status: 400,
        code: 'malformed_body',
        type: expect.stringMatching(/^application\/problem\+json/),
      });
    });

    it.each(['compress', 'x-foo', 'gzip, gzip, gzip'])('answers Content-Encoding: %s with 415', async (encoding) => {
      const res = await rawPost('/v1/tenants', { ...admin(), 'Content-Encoding': encoding }, body);
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 415, code: 'unsupported_media_type' });
    });

    it('answers a small body that inflates past 64 KiB with 413, without inflating it all', async () => {
      const bomb = gzipSync(Buffer.from(JSON.stringify({ name: 'a'.repeat(10_000_000) })));
      expect(bomb.length).toBeLessThan(64 * 1024);
      const res = await rawPost('/v1/tenants', { ...admin(), 'Content-Encoding': 'gzip' }, bomb);
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 413, code: 'payload_too_large' });
    });

    it('logs none of these at error level', () => {
      const errors = logs.entries.filter((entry) => (entry.level as number) >= 50);
      expect(errors).toEqual([]);
    });
  });

  it('a client that stops mid-body gets a 408 problem+json within HTTP_REQUEST_TIMEOUT_MS', async () => {
    const port = Number(new URL(t.url).port);
    const started = Date.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          'POST /v1/tenants HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"na',
        );
      });
      let data = '';
      socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    // Node checks request deadlines every 5 s (connectionsCheckingInterval): 2 s + at most 5 s.
    expect(Date.now() - started).toBeLessThan(9_000);
    const [head, body] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 408 /);
    expect(head).toMatch(/content-type: application\/problem\+json/i);
    const requestId = /x-request-id: (\S+)/i.exec(head)?.[1];
    expect(JSON.parse(body)).toEqual(
      expect.objectContaining({ status: 408, code: 'request_timeout', request_id: requestId }),
    );
  });

  it('two Authorization headers answer 400 ambiguous_credentials', async () => {
    const port = Number(new URL(t.url).port);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end(
          `GET /v1/tenants HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.adminKey}\r\n` +
            `Authorization: Bearer ${newAdminKeyText()}\r\nConnection: close\r\n\r\n`,
        );
      });
      let data = '';
      socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(answer.split('\r\n\r\n')[1])).toMatchObject({ code: 'ambiguous_credentials' });
  });

  it('a bad %-escape in the path keeps its request_id and X-Request-Id', async () => {
    const res = await request(t.url).get('/v1/tenants/%zz').set('X-Request-Id', 'edge-test.1');
    expect(res.status).toBe(400);
    expect(res.headers['x-request-id']).toBe('edge-test.1');
    expect(res.body).toMatchObject({ request_id: 'edge-test.1', code: 'bad_request' });
  });

  it('malformed JSON answers the documented malformed_json code', async () => {
    const res = await rawPost('/v1/tenants', admin(), Buffer.from('{"name":'));
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code: 'malformed_json' });
  });

  it('admin lock-out: revoking the last unexpired admin key is refused even when expired admin keys remain', async () => {
    const soon = new Date(Date.now() + 1500).toISOString();
    const expiring = await request(t.url)
      .post('/v1/api-keys')
      .set(admin())
      .send({ name: 'expiring admin', role: 'admin', expires_at: soon });
    expect(expiring.status).toBe(201);
    const own = await request(t.url).get('/v1/api-keys').set(admin());
    const bootstrap = (own.body.data as Array<{ id: string; name: string }>).find((k) => k.name === 'bootstrap admin');
    await t.db.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [expiring.body.id]);
    const res = await request(t.url).delete(`/v1/api-keys/${bootstrap?.id}`).set(admin());
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 409, code: 'last_admin_key' });
  });

  it('idempotent replays are audited as login_link.replayed, naming the original link', async () => {
    const tenant = await request(t.url).post('/v1/tenants').set(admin()).send({ name: 'Replay Tenant' });
    await request(t.url)
      .post(`/v1/tenants/${tenant.body.id}/connections`)
      .set(admin())
      .send({ name: 'flu', provider: 'flussonic', base_url: flussonic.url, credentials: { api_key: 'watcher-key' } })
      .expect(201);
    const body = { tenant_id: tenant.body.id, connection: 'flu', user: { login: 'viewer' }, delivery: 'launch' };
    const key = 'replay-test-key-0123456789';
    const first = await request(t.url).post('/v1/login-links').set(admin()).set('Idempotency-Key', key).send(body);
    const again = await request(t.url).post('/v1/login-links').set(admin()).set('Idempotency-Key', key).send(body);
    expect(first.status).toBe(201);
    expect(again.body).toEqual(first.body);
    const events = await t.db.query<{ action: string; link_id: string; metadata: Record<string, unknown> }>(
      `SELECT action, link_id, metadata FROM audit_events WHERE tenant_id = $1 AND action LIKE 'login_link.%' ORDER BY seq`,
      [tenant.body.id],
    );
    expect(events.map((e) => e.action)).toEqual(['login_link.issued', 'login_link.replayed']);
    expect(events[1]).toMatchObject({ link_id: first.body.id, metadata: { original_link_id: first.body.id } });
  });

  it('failed authentication is rate limited per IP: 429 with Retry-After before the key lookup, in the shared store', async () => {
    const from = { 'X-Forwarded-For': '203.0.113.9' };
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      statuses.push(
        (await request(t.url).get('/v1/tenants').set(from).set('Authorization', `Bearer ${newAdminKeyText()}`)).status,
      );
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(6)).toEqual([429, 429]);
    const blocked = await request(t.url).get('/v1/tenants').set(from).set(admin());
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    const [bucket] = await t.db.query<{ hits: number }>(
      `SELECT hits FROM rate_limit_buckets WHERE key = 'auth_failures:203.0.113.9'`,
    );
    expect(bucket.hits).toBe(6);
    expect((await request(t.url).get('/v1/tenants').set(admin())).status).toBe(200);
  });
});
