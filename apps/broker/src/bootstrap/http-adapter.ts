import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Environment } from '@app/config';
import { type BrokerPino, httpLoggingOptions } from '@app/observability';
import { answerClientError } from '../http/client-error';
import { sendProblem } from '../http/problem';

export const MAX_BODY_BYTES = 64 * 1024;
/** Above the idle timeout of common load balancers (60 s), so that the balancer closes idle connections first. */
export const KEEP_ALIVE_TIMEOUT_MS = 72_000;
/** A socket with no traffic at all for this long is closed (a long export keeps writing). */
export const CONNECTION_IDLE_TIMEOUT_MS = 120_000;
/** Longest path parameter the router matches (launch tokens are 43 characters, ids 36). */
const MAX_PARAM_LENGTH = 1024;

/**
 * The broker's HTTP server: Fastify, logging through `logger`, with the edge limits (body size,
 * timeouts, trusted proxies) set where Fastify and Node enforce them.
 */
export function createHttpAdapter(env: Environment, logger: BrokerPino): FastifyAdapter {
  return new FastifyAdapter({
    ...httpLoggingOptions(logger),
    bodyLimit: MAX_BODY_BYTES,
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    // Slow clients: whole request (headers and body) within HTTP_REQUEST_TIMEOUT_MS, headers
    // within HTTP_HEADERS_TIMEOUT_MS; Node checks them every 5 s.
    requestTimeout: env.HTTP_REQUEST_TIMEOUT_MS,
    http: {
      headersTimeout: env.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeout: env.HTTP_REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: 5_000,
    },
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    connectionTimeout: CONNECTION_IDLE_TIMEOUT_MS,
    // As on Express before: /v1/Tenants and /v1/tenants/ still reach /v1/tenants.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
    // No Nest middleware: request ids, URL screening, logs and metrics are Fastify hooks.
    skipMiddie: true,
  });
}

/** Requests Fastify refuses before routing (a URL it cannot decode): problem+json like every error. */
function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const detail =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path segment is too long.' : 'The request URL is malformed.';
  sendProblem(request, reply, 400, 'bad_request', detail);
}

/**
 * TRUST_PROXY: true/false, a hop count, or a comma-separated list of addresses/CIDRs (as Express
 * took it). A hop count trusts the nearest N peers whoever they are, as Express and Fastify up to
 * 5.11 did; Fastify 5.12 turned a bare number into "trust nobody", so the count is handed over as
 * the equivalent trust function (docs/architecture.md, configuration: a CIDR list is the safer form).
 */
export function parseTrustProxy(value: string | undefined): boolean | string | TrustHops {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (!/^\d+$/.test(value)) return value;
  const hops = Number(value);
  return (_address, hop) => hop < hops;
}

/** proxy-addr's trust callback: `hop` 0 is the socket's peer, 1 the address it forwarded for, … */
type TrustHops = (address: string, hop: number) => boolean;
