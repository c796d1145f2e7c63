import { ManualClock } from '@app/common';
import { register } from 'prom-client';
import { ProviderException } from '../providers.exception';
import { closedPortUrl, LocalServer, startLocalServer } from '../testing/local-http-server';
import { UpstreamHttpClient, UpstreamResponse } from './upstream-http.client';
import { DEFAULT_UPSTREAM_HTTP_OPTIONS } from './upstream-http.options';
import { caught } from '../testing/provider-errors';

const options = {
  ...DEFAULT_UPSTREAM_HTTP_OPTIONS,
  timeoutMs: 300,
  breakerFailures: 3,
  breakerCooldownMs: 400,
  maxBodyBytes: 1000,
};
const failOn5xx = (response: UpstreamResponse) => {
  if (response.status >= 500) throw new ProviderException(502, 'upstream_error' as never, 'boom');
  if (response.status >= 400) throw new ProviderException(403, 'upstream_forbidden' as never, 'no');
  return response.text;
};

describe('UpstreamHttpClient', () => {
  let sut: UpstreamHttpClient;
  let clock: ManualClock;
  let server: LocalServer;
  let status = 200;
  let delayMs = 0;
  let bodySize = 10;
  /** While set, the server holds every answer until the test settles it. */
  let hold: Promise<void> | undefined;
  /** While set, the answer's headers go at once and its body trickles in, a byte per 50 ms, for this long. */
  let trickleMs = 0;
  /** While set, the body goes in 500-byte chunks with no Content-Length (chunked encoding). */
  let chunked = false;
  /** While set, the headers (with Content-Length) go at once and the body 50 ms later. */
  let lateBody = false;

  beforeEach(async () => {
    status = 200;
    delayMs = 0;
    bodySize = 10;
    hold = undefined;
    trickleMs = 0;
    chunked = false;
    lateBody = false;
    clock = new ManualClock();
    sut = new UpstreamHttpClient(options, clock);
    server = await startLocalServer(async (_request, response) => {
      await hold;
      // A real late answer: the client's real deadline (undici, CallDeadline) is what is under test.
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (trickleMs > 0) {
        response.writeHead(status, { 'content-type': 'text/plain' });
        for (let sent = 0; sent < trickleMs && !response.destroyed; sent += 50) {
          response.write('x');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        response.end();
        return;
      }
      if (chunked) {
        response.writeHead(status, { 'content-type': 'text/plain' });
        for (let sent = 0; sent < bodySize && !response.destroyed; sent += 500) {
          response.write('x'.repeat(Math.min(500, bodySize - sent)));
          await new Promise((resolve) => setImmediate(resolve));
        }
        response.end();
        return;
      }
      response.writeHead(status, { 'content-type': 'text/plain', 'content-length': String(bodySize) });
      if (lateBody) {
        response.flushHeaders();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      response.end('x'.repeat(bodySize));
    });
  });

  afterEach(async () => {
    await sut.onModuleDestroy();
    await server.close();
  });

  const get = (breakerKey = 'conn-1', url = server.url) =>
    sut.call({ provider: 'test', operation: 'get', breakerKey, method: 'GET', url: `${url}/x` }, failOn5xx);

  it('returns the interpreted body and records metrics', async () => {
    await expect(get()).resolves.toBe('xxxxxxxxxx');
    const metrics = await register.getSingleMetricAsString('upstream_requests_total');
    expect(metrics).toContain('upstream_requests_total{provider="test",operation="get",outcome="ok"}');
  });

  it('times out within the total deadline, body included', async () => {
    delayMs = 4000;
    const started = Date.now();
    const error = await caught(get());
    expect(error.status).toBe(504);
    expect(error.code).toBe('upstream_timeout');
    // Cut by the 300 ms deadline, not by the upstream's late answer: the bound only needs to sit
    // between the two, so it leaves seconds of slack for a loaded machine.
    expect(Date.now() - started).toBeLessThan(delayMs - 1000);
  });

  it("cuts a body that keeps trickling past the deadline (each chunk within undici's idle timeouts)", async () => {
    trickleMs = 4000;
    const started = Date.now();
    const error = await caught(get());
    expect([error.status, error.code]).toEqual([504, 'upstream_timeout']);
    expect(Date.now() - started).toBeLessThan(trickleMs - 1000);
  });

  it('maps connection refused to 502 upstream_unreachable', async () => {
    const error = await caught(get('conn-1', await closedPortUrl()));
    expect([error.status, error.code]).toEqual([502, 'upstream_unreachable']);
  });

  it('treats an oversized body as garbage, refused on its Content-Length before it is read', async () => {
    bodySize = 5000;
    lateBody = true;
    const error = await caught(get());
    expect([error.status, error.code]).toEqual([502, 'upstream_error']);
  });

  it('cuts an oversized body that announces no length as it arrives, and reads one within the cap whole', async () => {
    chunked = true;
    bodySize = 5000;
    const error = await caught(get());
    expect([error.status, error.code, error.message]).toEqual([
      502,
      'upstream_error',
      'The upstream answer exceeded the size limit.',
    ]);
    bodySize = 1000;
    await expect(get()).resolves.toBe('x'.repeat(1000));
  });

  it('opens the breaker after N consecutive faults and then fails fast with Retry-After', async () => {
    status = 500;
    for (let i = 0; i < options.breakerFailures; i++) await caught(get());
    const before = server.requests.length;
    const error = await caught(get());
    expect([error.status, error.code]).toEqual([503, 'upstream_circuit_open']);
    expect(error.headers).toEqual({ 'Retry-After': '1' });
    expect(server.requests.length).toBe(before);
    await expect(get('conn-2')).rejects.toMatchObject({ code: 'upstream_error' });
  });

  it('does not count 4xx answers as faults', async () => {
    status = 403;
    for (let i = 0; i < options.breakerFailures + 2; i++) {
      await expect(get()).rejects.toMatchObject({ code: 'upstream_forbidden' });
    }
  });

  it('lets one probe through when half-open and closes on success', async () => {
    status = 500;
    for (let i = 0; i < options.breakerFailures; i++) await caught(get());
    clock.advance(options.breakerCooldownMs - 1);
    await expect(get()).rejects.toMatchObject({ code: 'upstream_circuit_open' }); // still cooling down
    clock.advance(1);
    status = 200;
    let release!: () => void;
    hold = new Promise((resolve) => (release = resolve));
    const probe = get(); // answered only once released: still in flight below
    await expect(get()).rejects.toMatchObject({ code: 'upstream_circuit_open' });
    release();
    await expect(probe).resolves.toBe('xxxxxxxxxx');
    await expect(get()).resolves.toBe('xxxxxxxxxx');
  });

  it('re-opens when the half-open probe fails', async () => {
    status = 500;
    for (let i = 0; i < options.breakerFailures; i++) await caught(get());
    clock.advance(options.breakerCooldownMs);
    await expect(get()).rejects.toMatchObject({ code: 'upstream_error' });
    await expect(get()).rejects.toMatchObject({ code: 'upstream_circuit_open' });
  });
});
