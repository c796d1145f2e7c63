import { fastify, type FastifyInstance } from 'fastify';
import request from 'supertest';
import { httpLoggingOptions, installHttpObservability } from '../http/fastify-observability';
import { HttpMetrics } from '../metrics/http-metrics';
import { LogCapture } from '../testing-log-capture';
import { createBrokerLogger, type LogLevel } from './broker-logger';

const SECRETS = [
  'Bearer sk_live_AUTHHEADER',
  'session=COOKIESECRET',
  'CLIENTSECRET123',
  'LAUNCHTOKEN456',
  'OTTVALUE789',
];

/** A bare Fastify server with the broker's logging options, hooks and a request-scoped log line. */
async function serverLoggingTo(capture: LogCapture, level: LogLevel = 'debug'): Promise<FastifyInstance> {
  const server = fastify(httpLoggingOptions(createBrokerLogger({ level, destination: capture })));
  installHttpObservability(server, new HttpMetrics());
  server.all('/*', (req, reply) => {
    req.log.info(
      {
        connection: { credentials: { client_id: 'cid', client_secret: 'CLIENTSECRET123' } },
        upstream: { ott: 'OTTVALUE789' },
      },
      'handled',
    );
    const path = req.url.split('?')[0];
    void reply.status(path === '/boom' ? 500 : path === '/missing' ? 404 : 200).send('ok');
  });
  await server.ready();
  return server;
}

describe('the broker logger as Fastify logs requests', () => {
  let capture: LogCapture;
  let server: FastifyInstance | undefined;

  beforeEach(() => {
    capture = new LogCapture();
  });
  afterEach(async () => server?.close());

  it('writes JSON lines without any secret from headers, logged objects or launch paths', async () => {
    server = await serverLoggingTo(capture);
    await request(server.server)
      .get('/l/LAUNCHTOKEN456?x=1')
      .set('Authorization', 'Bearer sk_live_AUTHHEADER')
      .set('Cookie', 'session=COOKIESECRET');

    expect(capture.lines.length).toBeGreaterThanOrEqual(2);
    for (const secret of SECRETS) expect(capture.text).not.toContain(secret);
    const completed = capture.entries.find((e) => e.msg === 'request completed') as {
      req: { url: string; headers: Record<string, string> };
    };
    expect(completed.req.url).toBe('/l/[Redacted]');
    expect(completed.req.headers.authorization).toBe('[Redacted]');
    expect(completed.req.headers.cookie).toBe('[Redacted]');
    expect(completed.req).not.toHaveProperty('params');
    expect(completed.req).not.toHaveProperty('query');
  });

  it('tags every line of a request with its id, taken from X-Request-Id, and answers it', async () => {
    server = await serverLoggingTo(capture);
    const res = await request(server.server).get('/v1/things').set('X-Request-Id', 'trace-42');

    expect(res.headers['x-request-id']).toBe('trace-42');
    // request.log lines carry Fastify's reqId binding, the completion line the serialized request.
    expect(capture.entries.map((e) => e.reqId ?? (e.req as { id: string }).id)).toEqual(['trace-42', 'trace-42']);
  });

  it('logs probes at debug, client errors at warn and server errors at error', async () => {
    server = await serverLoggingTo(capture);
    for (const path of ['/health/ready', '/metrics?x=1', '/missing', '/boom', '/v1/things']) {
      await request(server.server).get(path);
    }

    const completions = capture.entries
      .filter((e) => e.msg !== 'handled')
      .map((e) => [(e.req as { url: string }).url, e.level]);
    expect(completions).toEqual([
      ['/health/ready', 20],
      ['/metrics?x=1', 20],
      ['/missing', 40],
      ['/boom', 50],
      ['/v1/things', 30],
    ]);
  });

  it('honours the level: silent writes nothing, info hides probes', async () => {
    server = await serverLoggingTo(capture, 'silent');
    await request(server.server).get('/v1/things');
    expect(capture.lines).toEqual([]);
    await server.close();

    server = await serverLoggingTo(capture, 'info');
    await request(server.server).get('/health/live');
    expect(capture.entries.map((e) => e.msg)).toEqual(['handled']);
  });
});
