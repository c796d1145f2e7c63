import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSsoBrokerClient, ok } from './client';
import { SsoBrokerError } from './errors';
import { retryAfterMs } from './retry';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A tiny HTTP server that answers with `answer(n)` for its n-th request and records each request. */
async function serve(
  answer: (n: number, res: ServerResponse) => void,
): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
      answer(seen.length, res);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': status >= 400 ? 'application/problem+json' : 'application/json',
    ...headers,
  });
  res.end(JSON.stringify(body));
}

const LINK = { connection_id: '7d5a4c1e-1c6b-4c55-9a39-3f6d2b1c0e11', user: { email: 'ada@example.com' } };
const problem = (status: number, code: string) => ({
  type: `urn:sso-broker:problem:${code}`,
  title: 'Error',
  status,
  detail: `${code} happened`,
  code,
  request_id: 'req-1',
});

describe('@sso-broker/client', () => {
  let current: Server | undefined;
  afterEach(() => current?.close());

  it('adds one Idempotency-Key to link issuance, the same on every retry, and sends the API key', async () => {
    const { url, seen, server } = await serve((n, res) =>
      n < 3
        ? json(res, 503, problem(503, 'database_unavailable'), { 'retry-after': '0' })
        : json(res, 201, { id: 'l1' }),
    );
    current = server;
    const client = createSsoBrokerClient({ baseUrl: url, apiKey: 'sbk_t_secret' });
    const link = await ok(client.POST('/v1/login-links', { body: LINK as never }));
    expect(link).toEqual({ id: 'l1' });
    expect(seen).toHaveLength(3);
    const keys = seen.map((s) => s.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(keys).size).toBe(1);
    expect(seen.every((s) => s.body === JSON.stringify(LINK))).toBe(true);
    expect(seen[0].headers.authorization).toBe('Bearer sbk_t_secret');
  });

  it('keeps a caller-given Idempotency-Key, and adds none to other POSTs', async () => {
    const { url, seen, server } = await serve((_, res) => json(res, 201, {}));
    current = server;
    const client = createSsoBrokerClient({ baseUrl: url, apiKey: 'k' });
    await client.POST('/v1/login-links', {
      body: LINK as never,
      params: { header: { 'Idempotency-Key': 'mine' } } as never,
    });
    await client.POST('/v1/tenants', { body: { name: 'Acme' } as never });
    expect(seen[0].headers['idempotency-key']).toBe('mine');
    expect(seen[1].headers['idempotency-key']).toBeUndefined();
  });

  it('retries 429 a bounded number of times, then throws the last answer', async () => {
    const { url, seen, server } = await serve((_, res) =>
      json(res, 429, problem(429, 'rate_limited'), { 'retry-after': '0' }),
    );
    current = server;
    const client = createSsoBrokerClient({ baseUrl: url, apiKey: 'k', retries: 2 });
    const error = await client.GET('/v1/tenants').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SsoBrokerError);
    expect((error as SsoBrokerError).status).toBe(429);
    expect(seen).toHaveLength(3);
  });

  it('does not wait longer than maxDelayMs: a far Retry-After is returned at once', async () => {
    const { url, seen, server } = await serve((_, res) =>
      json(res, 503, problem(503, 'draining'), { 'retry-after': '3600' }),
    );
    current = server;
    const client = createSsoBrokerClient({ baseUrl: url, apiKey: 'k', maxDelayMs: 1000 });
    await expect(client.GET('/v1/tenants')).rejects.toMatchObject({ status: 503, code: 'draining' });
    expect(seen).toHaveLength(1);
  });

  it('never retries other errors', async () => {
    const { url, seen, server } = await serve((_, res) => json(res, 500, problem(500, 'internal_error')));
    current = server;
    const client = createSsoBrokerClient({ baseUrl: url, apiKey: 'k' });
    await expect(client.GET('/v1/tenants')).rejects.toMatchObject({ status: 500 });
    expect(seen).toHaveLength(1);
  });

  it('turns problem+json into a typed error with status, code, request_id and field errors', async () => {
    const body = {
      ...problem(400, 'validation_failed'),
      errors: [{ field: 'name', message: 'name must be a string' }],
    };
    const { url, server } = await serve((_, res) => json(res, 400, body));
    current = server;
    const client = createSsoBrokerClient({ baseUrl: url, apiKey: 'k' });
    const error = (await client.POST('/v1/tenants', { body: {} as never }).catch((e: unknown) => e)) as SsoBrokerError;
    expect(error).toBeInstanceOf(SsoBrokerError);
    expect(error).toMatchObject({
      status: 400,
      code: 'validation_failed',
      request_id: 'req-1',
      errors: [{ field: 'name', message: 'name must be a string' }],
      message: 'validation_failed: validation_failed happened',
    });
    expect(error.problem).toEqual(body);
  });

  it('reports an answer that is not problem+json as unexpected_response, with the X-Request-Id', async () => {
    const { url, server } = await serve((_, res) => {
      res.writeHead(502, { 'content-type': 'text/html', 'x-request-id': 'edge-7' });
      res.end('<h1>Bad gateway</h1>');
    });
    current = server;
    const client = createSsoBrokerClient({ baseUrl: url, apiKey: 'k' });
    await expect(client.GET('/v1/tenants')).rejects.toMatchObject({
      status: 502,
      code: 'unexpected_response',
      request_id: 'edge-7',
      errors: [],
    });
  });

  it('reads Retry-After as seconds or as an HTTP-date', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs(new Date(1_000).toUTCString(), 4_000)).toBe(0);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });
});
