import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { isIP, type Socket } from 'node:net';
import { rootCertificates } from 'node:tls';
import { buildConnector, errors } from 'undici';
import { UPSTREAM_HTTP_OPTIONS, type UpstreamHttpOptions } from '../upstream/upstream-http.options';
import { UpstreamResolver } from './upstream-resolver';

/**
 * The egress policy refused a connection: raised inside the connect phase, before any socket is
 * opened, so not one byte of the request (its credential included) leaves the broker.
 */
export class EgressRefusedError extends Error {
  readonly code = 'SSO_BROKER_EGRESS_REFUSED';
  override readonly name = 'EgressRefusedError';

  constructor(
    readonly hostname: string,
    readonly address: string,
    readonly range: string,
  ) {
    super(`egress refused: ${hostname} resolves to ${address} (${range})`);
  }
}

export type BaseUrlVerdict =
  { ok: true } | { ok: false; reason: 'scheme' } | { ok: false; reason: 'address'; range: string };

/**
 * Enforces the egress policy (docs/architecture.md#egress-policy) where it matters:
 * - at connect time, inside undici's connect step (`connector()`): the host is resolved here and
 *   every address it resolves to is checked, then the socket is opened to the checked address,
 *   never to a second resolution, so DNS rebinding between check and connect is impossible; IP
 *   literals are checked as they are. Every connection the upstream Agent opens goes through it;
 *   redirects are never followed (undici's request() does not, and no redirect interceptor is
 *   installed), and would open their connections through it too;
 * - at create/patch time (`vetBaseUrl`), to refuse early what would be refused at connect time.
 */
@Injectable()
export class EgressGuard {
  private readonly logger = new Logger('Upstream');

  constructor(
    @Inject(UPSTREAM_HTTP_OPTIONS) private readonly options: UpstreamHttpOptions,
    @Optional() private readonly resolver: UpstreamResolver = new UpstreamResolver(),
  ) {}

  get policy() {
    return this.options.egress;
  }

  /**
   * The connect step of the upstream Agent: resolve and check, then connect, all within one
   * connect budget, so that a connect that never completes always ends as a connect failure
   * (upstream_unreachable) before the request's total deadline (a timeout) could.
   */
  connector(): buildConnector.connector {
    const budgetMs = connectBudgetMs(this.options);
    const extraCa = this.options.extraCaPem;
    const base = buildConnector({
      timeout: budgetMs,
      ...(extraCa === undefined ? {} : { ca: [...rootCertificates, extraCa] }),
    });
    return (options, callback) => {
      let settled = false;
      let socket: Socket | undefined;
      const finish: buildConnector.Callback = (...args) => {
        if (settled) {
          args[1]?.destroy();
          return;
        }
        settled = true;
        clearTimeout(timer);
        callback(...args);
      };
      const timer = setTimeout(() => {
        socket?.destroy();
        finish(new errors.ConnectTimeoutError(`connect timeout after ${budgetMs} ms`), null);
      }, budgetMs);
      this.vettedAddress(options.hostname).then(
        (address) => {
          if (settled) return;
          // `host` keeps the name, so TLS still sends it as SNI and verifies the certificate for it.
          socket = base({ ...options, hostname: address }, finish) as unknown as Socket | undefined;
        },
        (error: Error) => finish(error, null),
      );
    };
  }

  /** The address to connect to for `hostname`: every address it resolves to must be allowed. */
  async vettedAddress(hostname: string): Promise<string> {
    const addresses = isIP(hostname) ? [hostname] : (await this.resolver.lookup(hostname)).map((a) => a.address);
    if (addresses.length === 0) throw Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' });
    for (const address of addresses) {
      const verdict = this.policy.addresses.check(address);
      if (!verdict.allowed) {
        const refused = new EgressRefusedError(hostname, address, verdict.range);
        this.logger.warn(
          { hostname, address, range: verdict.range },
          'upstream connection refused by the egress policy (UPSTREAM_ALLOWED_NETWORKS)',
        );
        throw refused;
      }
    }
    return addresses[0];
  }

  /**
   * Create/patch time: the scheme, and the addresses the host resolves to now. A name that does
   * not resolve (yet) passes: the connect-time check decides when it is used.
   */
  async vetBaseUrl(baseUrl: string): Promise<BaseUrlVerdict> {
    const url = new URL(baseUrl);
    if (!this.policy.schemeAllowed(url.protocol)) return { ok: false, reason: 'scheme' };
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    try {
      await withTimeout(this.vettedAddress(hostname), connectBudgetMs(this.options));
      return { ok: true };
    } catch (error) {
      if (error instanceof EgressRefusedError) return { ok: false, reason: 'address', range: error.range };
      return { ok: true };
    }
  }
}

/** The whole connect phase (DNS, TCP, TLS) ends before 80 % of the request deadline. */
export function connectBudgetMs(options: Pick<UpstreamHttpOptions, 'connectTimeoutMs' | 'timeoutMs'>): number {
  return Math.max(1, Math.min(options.connectTimeoutMs, Math.floor(options.timeoutMs * 0.8)));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
