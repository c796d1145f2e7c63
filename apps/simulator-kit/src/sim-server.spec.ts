import type { ServerResponse } from 'node:http';
import { FaultController } from './fault-controller';
import { sendJson } from './http-io';
import { SimClock } from './sim-clock';
import { RequestCounters } from './sim-counters';
import { SimRouter } from './sim-router';
import { SimServer, startSimServer } from './sim-server';

interface TestCounters extends RequestCounters {
  hits: number;
}

let server: SimServer;
let faults: FaultController;
let counters: TestCounters;
let clock: SimClock;

beforeEach(async () => {
  faults = new FaultController();
  counters = { hits: 0, requestsByPath: {}, faultsApplied: 0 };
  clock = new SimClock(() => 1_000_000);
  const router = new SimRouter()
    .on('GET', '/ok', (_req, res) => {
      counters.hits += 1;
      sendJson(res, 200, { ok: true });
    })
    .on('GET', '/items/{id}', (_req, res, _url, params) => sendJson(res, 200, params));
  const responder = {
    error: (res: ServerResponse, status: number, headers?: Record<string, string>) =>
      sendJson(res, status, { vendor: status }, headers),
  };
  server = await startSimServer({ host: '127.0.0.1', port: 0, router, faults, counters, clock, responder });
});
afterEach(() => server.close());

const get = (path: string): Promise<Response> => fetch(`${server.url}${path}`);
const control = (method: string, path: string, body?: unknown): Promise<Response> =>
  fetch(`${server.url}/_sim/${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });

describe('fault injection', () => {
  it('answers an injected status in the vendor shape with Retry-After', async () => {
    faults.set({ status: 429, retryAfter: 7 });
    const res = await get('/ok');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(await res.json()).toEqual({ vendor: 429 });
    expect(counters.hits).toBe(0);
  });

  it('answers garbage: 200 with a body that is not JSON', async () => {
    faults.set({ garbage: true });
    const res = await get('/ok');
    expect(res.status).toBe(200);
    await expect(res.clone().json()).rejects.toThrow();
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('resets the connection', async () => {
    faults.set({ reset: true });
    await expect(get('/ok')).rejects.toThrow();
  });

  it('adds latency and then serves normally', async () => {
    // The injected latency is the behaviour under test: a real delay, so only a lower bound is checked.
    faults.set({ latencyMs: 150 });
    const started = performance.now();
    const res = await get('/ok');
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(res.status).toBe(200);
    expect(counters.hits).toBe(1);
  });

  it('applies `times` faults, then clears itself', async () => {
    faults.set({ status: 500, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await get('/ok')).status);
    expect(statuses).toEqual([500, 500, 200]);
    expect(counters.faultsApplied).toBe(2);
    expect(faults.current()).toBeUndefined();
  });

  it('filters by exact path and by prefix', async () => {
    faults.set({ status: 503, path: '/ok' });
    expect((await get('/items/1')).status).toBe(200);
    expect((await get('/ok')).status).toBe(503);
    faults.set({ status: 503, path: '/items/*' });
    expect((await get('/items/1')).status).toBe(503);
    expect((await get('/ok')).status).toBe(200);
  });

  it('applies faults with the given probability', async () => {
    const never = new FaultController(() => 0.5);
    never.set({ status: 500, probability: 0.4 });
    expect(never.take('/ok')).toBeUndefined();
    never.set({ status: 500, probability: 0.6 });
    expect(never.take('/ok')).toMatchObject({ status: 500 });
  });

  it('rejects malformed specs', () => {
    expect(() => faults.set({ path: '/ok' })).toThrow(/needs one of/);
    expect(() => faults.set({ status: 42 })).toThrow(/status/);
    expect(() => faults.set({ status: 500, colour: 'red' } as never)).toThrow(/unknown fault field/);
  });
});

describe('control endpoints', () => {
  it('switches faults over HTTP and never applies them to /_sim', async () => {
    expect((await control('POST', 'faults', { status: 502 })).status).toBe(200);
    expect((await get('/ok')).status).toBe(502);
    expect((await control('GET', 'counters')).status).toBe(200);
    expect((await control('DELETE', 'faults')).status).toBe(204);
    expect((await get('/ok')).status).toBe(200);
    expect((await control('POST', 'faults', { status: 'bad' })).status).toBe(400);
  });

  it('serves and resets counters keyed by route template', async () => {
    await get('/items/1');
    await get('/items/2');
    await get('/missing');
    const body = (await (await control('GET', 'counters')).json()) as TestCounters;
    expect(body.requestsByPath).toEqual({ '/items/{id}': 2, '(unmatched)': 1 });
    expect((await control('POST', 'reset')).status).toBe(204);
    expect(counters).toEqual({ hits: 0, requestsByPath: {}, faultsApplied: 0 });
  });

  it('advances the clock over HTTP', async () => {
    const res = await control('POST', 'clock', { advanceMs: 5000 });
    expect(await res.json()).toEqual({ now: 1_005_000 });
    expect(clock.now()).toBe(1_005_000);
  });

  it('answers 404 and 405 through the vendor responder', async () => {
    expect(await (await get('/missing')).json()).toEqual({ vendor: 404 });
    const res = await fetch(`${server.url}/ok`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });
});
