import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { EgressPolicy } from './egress-policy';
import { EgressGuard } from './egress-guard';
import { UpstreamHttpClient } from '../upstream/upstream-http.client';
import { DEFAULT_UPSTREAM_HTTP_OPTIONS, UpstreamHttpOptions } from '../upstream/upstream-http.options';
import { UpstreamResolver } from './upstream-resolver';
import { caught } from '../testing/provider-errors';

/** A resolver answering from a table, so no test depends on real DNS. */
class TableResolver extends UpstreamResolver {
  constructor(readonly table: Record<string, string[]>) {
    super();
  }
  override lookup(hostname: string) {
    return Promise.resolve((this.table[hostname] ?? []).map((address) => ({ address, family: 4 })));
  }
}

describe('EgressGuard in the upstream client', () => {
  let server: Server;
  let port: number;
  let connections = 0;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    server = createServer((socket) => {
      connections += 1;
      sockets.add(socket);
      socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    sockets.forEach((socket) => socket.destroy());
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => (connections = 0));

  function client(egress: EgressPolicy, table: Record<string, string[]> = {}) {
    const options: UpstreamHttpOptions = { ...DEFAULT_UPSTREAM_HTTP_OPTIONS, egress, breakerFailures: 2 };
    return new UpstreamHttpClient(options, undefined, new EgressGuard(options, new TableResolver(table)));
  }
  const get = (sut: UpstreamHttpClient, url: string) =>
    sut.call({ provider: 'test', operation: 'get', breakerKey: 'c1', method: 'GET', url }, (r) => r.text);
  const production = (networks?: string) =>
    EgressPolicy.forEnvironment({ nodeEnv: 'production', allowHttp: true, allowedNetworks: networks });

  it('refuses a loopback IP literal before connecting (502 upstream_address_not_allowed)', async () => {
    const sut = client(production());
    try {
      const error = await caught(get(sut, `http://127.0.0.1:${port}/`));
      expect([error.status, error.code]).toEqual([502, 'upstream_address_not_allowed']);
      expect(connections).toBe(0);
    } finally {
      await sut.onModuleDestroy();
    }
  });

  it('refuses a name when any address it resolves to is refused, and connects to the checked one otherwise', async () => {
    const sut = client(production('127.0.0.0/8'), {
      'mixed.test': ['127.0.0.1', '10.0.0.1'],
      'lan.test': ['127.0.0.1'],
    });
    try {
      await expect(get(sut, `http://mixed.test:${port}/`)).rejects.toMatchObject({
        code: 'upstream_address_not_allowed',
      });
      expect(connections).toBe(0);
      await expect(get(sut, `http://lan.test:${port}/`)).resolves.toBe('ok');
      expect(connections).toBe(1);
    } finally {
      await sut.onModuleDestroy();
    }
  });

  it('refuses http where only https is allowed, without connecting', async () => {
    const sut = client(EgressPolicy.forEnvironment({ nodeEnv: 'production', allowedNetworks: '127.0.0.0/8' }));
    try {
      await expect(get(sut, `http://127.0.0.1:${port}/`)).rejects.toMatchObject({
        status: 502,
        code: 'upstream_address_not_allowed',
      });
      expect(connections).toBe(0);
    } finally {
      await sut.onModuleDestroy();
    }
  });

  it('does not count refusals against the circuit breaker', async () => {
    const sut = client(production());
    try {
      for (let i = 0; i < 5; i++) {
        await expect(get(sut, `http://127.0.0.1:${port}/`)).rejects.toMatchObject({
          code: 'upstream_address_not_allowed',
        });
      }
    } finally {
      await sut.onModuleDestroy();
    }
  });

  it('at create time: refuses a name resolving to a refused address, lets an unresolvable one pass', async () => {
    const options = { ...DEFAULT_UPSTREAM_HTTP_OPTIONS, egress: production() };
    const guard = new EgressGuard(options, new TableResolver({ 'meta.test': ['169.254.169.254'] }));
    await expect(guard.vetBaseUrl('https://meta.test')).resolves.toEqual({
      ok: false,
      reason: 'address',
      range: 'linkLocal',
    });
    await expect(guard.vetBaseUrl('https://[::ffff:10.1.2.3]:8443')).resolves.toMatchObject({ ok: false });
    await expect(guard.vetBaseUrl('https://unknown.test')).resolves.toEqual({ ok: true });
    const strict = new EgressGuard(
      { ...options, egress: EgressPolicy.forEnvironment({ nodeEnv: 'production' }) },
      new TableResolver({}),
    );
    await expect(strict.vetBaseUrl('http://unknown.test')).resolves.toEqual({ ok: false, reason: 'scheme' });
  });
});
