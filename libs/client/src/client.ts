import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { SsoBrokerError } from './errors';
import { type RetryOptions, retryingFetch } from './retry';
import type { paths } from './schema';

export interface SsoBrokerClientOptions extends RetryOptions {
  /** The broker's base URL, e.g. https://sso.example.com (no /v1). */
  baseUrl: string;
  /** A broker API key (`sbk_…`): a tenant-bound key for portals, an admin key for operators. */
  apiKey: string;
  /** The fetch to send with (default: the global fetch). */
  fetch?: (request: Request) => Promise<Response>;
  /** Added to the User-Agent header, e.g. `my-portal/2.1`. */
  userAgent?: string;
}

export type SsoBrokerClient = Client<paths>;

const LINK_ISSUANCE = /\/v1\/login-links$/;

/**
 * A typed client for the broker's API (openapi-fetch over the generated `paths`). Any answer that
 * is not 2xx throws an SsoBrokerError; 429 and 503 are retried first (RetryOptions); a
 * POST /v1/login-links without an Idempotency-Key gets a random one, kept across its retries, so
 * that a retried issuance never mints two links (docs/api.md#idempotency).
 */
export function createSsoBrokerClient(options: SsoBrokerClientOptions): SsoBrokerClient {
  const inner = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const client = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    fetch: retryingFetch(inner, options),
    headers: {
      authorization: `Bearer ${options.apiKey}`,
      'user-agent': ['sso-broker-client/0.1', options.userAgent].filter(Boolean).join(' '),
    },
  });
  client.use(idempotencyKeys, problemErrors);
  return client;
}

// Web Crypto's randomUUID, so that the client runs in browsers as well as on Node.
const idempotencyKeys: Middleware = {
  onRequest({ request }) {
    if (request.method === 'POST' && LINK_ISSUANCE.test(new URL(request.url).pathname)) {
      if (!request.headers.has('idempotency-key'))
        request.headers.set('idempotency-key', globalThis.crypto.randomUUID());
    }
    return request;
  },
};

const problemErrors: Middleware = {
  async onResponse({ response }) {
    if (!response.ok) throw await SsoBrokerError.fromResponse(response);
    return undefined;
  },
};

/**
 * The body of a call's answer: `const link = await ok(client.POST('/v1/login-links', { body }))`.
 * Error answers already threw (createSsoBrokerClient), so what is left is the success body
 * (undefined for a 204).
 */
export async function ok<T>(call: Promise<{ data?: T; response: Response }>): Promise<T> {
  const { data } = await call;
  return data as T;
}
