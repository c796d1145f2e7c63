import { createServer, type Server } from 'node:http';
import { pinoHttp, type Options } from 'pino-http';
import request from 'supertest';
import { LogCapture } from '../testing-log-capture';
import { loggerParams } from './logger-params';

const SECRETS = [
  'Bearer sk_live_AUTHHEADER',
  'session=COOKIESECRET',
  'CLIENTSECRET123',
  'LAUNCHTOKEN456',
  'OTTVALUE789',
];

function serverLoggingTo(capture: LogCapture, level: Options['level'] = 'debug'): Server {
  const { pinoHttp: params } = loggerParams({ level: level as never, destination: capture });
  const middleware = pinoHttp(...(params as [Options, LogCapture]));
  return createServer((req, res) => {
    middleware(req, res);
    req.log.info(
      {
        connection: { credentials: { client_id: 'cid', client_secret: 'CLIENTSECRET123' } },
        upstream: { ott: 'OTTVALUE789' },
      },
      'handled',
    );
    res.statusCode = req.url === '/boom' ? 500 : req.url === '/missing' ? 404 : 200;
    res.end('ok');
  });
}

describe('loggerParams through pino-http', () => {
  let capture: LogCapture;

  beforeEach(() => {
    capture = new LogCapture();
  });

  it('writes JSON lines without any secret from headers, logged objects or launch paths', async () => {
    await request(serverLoggingTo(capture))
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
    const res = await request(serverLoggingTo(capture)).get('/v1/things').set('X-Request-Id', 'trace-42');

    expect(res.headers['x-request-id']).toBe('trace-42');
    expect(capture.entries.map((e) => (e.req as { id: string }).id)).toEqual(['trace-42', 'trace-42']);
  });

  it('logs probes at debug, client errors at warn and server errors at error', async () => {
    const server = serverLoggingTo(capture);
    await request(server).get('/health/ready');
    await request(server).get('/metrics?x=1');
    await request(server).get('/missing');
    await request(server).get('/boom');
    await request(server).get('/v1/things');

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
    await request(serverLoggingTo(capture, 'silent')).get('/v1/things');
    expect(capture.lines).toEqual([]);

    await request(serverLoggingTo(capture, 'info')).get('/health/live');
    expect(capture.entries.map((e) => e.msg)).toEqual(['handled']);
  });
});
