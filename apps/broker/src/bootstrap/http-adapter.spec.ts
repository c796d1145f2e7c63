import { validateEnvironment } from '@app/config';
import { createBrokerLogger } from '@app/observability';
import { createHttpAdapter, KEEP_ALIVE_TIMEOUT_MS, parseTrustProxy } from './http-adapter';

async function ipSeenWith(trustProxy: string | undefined): Promise<string> {
  const env = validateEnvironment(trustProxy === undefined ? {} : { TRUST_PROXY: trustProxy });
  const fastify = createHttpAdapter(env, createBrokerLogger({ level: 'silent' })).getInstance();
  fastify.get('/ip', (request) => ({ ip: request.ip }));
  try {
    const res = await fastify.inject({
      url: '/ip',
      remoteAddress: '10.0.0.2',
      headers: { 'x-forwarded-for': '203.0.113.7, 10.0.0.1' },
    });
    return res.json<{ ip: string }>().ip;
  } finally {
    await fastify.close();
  }
}

describe('createHttpAdapter', () => {
  it('maps TRUST_PROXY to Fastify trustProxy: unset trusts nobody, a hop count or a CIDR list trusts those', async () => {
    expect(await ipSeenWith(undefined)).toBe('10.0.0.2');
    expect(await ipSeenWith('false')).toBe('10.0.0.2');
    expect(await ipSeenWith('1')).toBe('10.0.0.1');
    expect(await ipSeenWith('2')).toBe('203.0.113.7');
    expect(await ipSeenWith('0')).toBe('10.0.0.2');
    expect(await ipSeenWith('10.0.0.0/8')).toBe('203.0.113.7');
    expect(await ipSeenWith('true')).toBe('203.0.113.7');
  });

  it('parses the TRUST_PROXY forms', () => {
    expect(parseTrustProxy(undefined)).toBe(false);
    expect(parseTrustProxy('true')).toBe(true);
    const threeHops = parseTrustProxy('3') as (address: string, hop: number) => boolean;
    expect([0, 1, 2, 3, 4].map((hop) => threeHops('10.0.0.1', hop))).toEqual([true, true, true, false, false]);
    expect(parseTrustProxy('0')).toEqual(expect.any(Function));
    expect(parseTrustProxy('loopback, 10.0.0.0/8')).toBe('loopback, 10.0.0.0/8');
  });

  it('sets the server timeouts from the environment', async () => {
    const env = validateEnvironment({ HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_REQUEST_TIMEOUT_MS: '9000' });
    const fastify = createHttpAdapter(env, createBrokerLogger({ level: 'silent' })).getInstance();
    expect(fastify.server.headersTimeout).toBe(5000);
    expect(fastify.server.requestTimeout).toBe(9000);
    expect(fastify.server.keepAliveTimeout).toBe(KEEP_ALIVE_TIMEOUT_MS);
    await fastify.close();
  });

  it('refuses a headers timeout longer than the request timeout', () => {
    expect(() => validateEnvironment({ HTTP_HEADERS_TIMEOUT_MS: '40000', HTTP_REQUEST_TIMEOUT_MS: '30000' })).toThrow(
      /HTTP_HEADERS_TIMEOUT_MS/,
    );
  });
});
