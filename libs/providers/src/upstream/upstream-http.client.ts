import { CLOCK, Clock, systemClock } from '@app/common';
import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import { Agent, request as undiciRequest } from 'undici';
import { EgressGuard } from '../egress/egress-guard';
import { UpstreamResolver } from '../egress/upstream-resolver';
import { ProviderException, ProviderExceptionCode, UPSTREAM_FAULT_CODES } from '../providers.exception';
import { CallDeadline } from './call-deadline';
import { CircuitBreaker } from './circuit-breaker';
import { describeUpstreamAnswer } from './upstream-answer';
import { UPSTREAM_HTTP_OPTIONS, UpstreamHttpOptions } from './upstream-http.options';
import { UpstreamMetrics } from './upstream-metrics';
import { classifyTransportError, egressRefused, upstreamError } from './upstream-errors';

export interface UpstreamRequest {
  /** Metrics label, e.g. 'acronis'. */
  provider: string;
  /** Metrics label, e.g. 'token', 'ott'. */
  operation: string;
  /** Circuit breaker scope: the connection id. */
  breakerKey: string;
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * The only way providers talk to upstreams: pooled keep-alive connections opened through the
 * egress guard (every new connection's address checked after DNS resolution, at connect time),
 * a total deadline that includes the body, a body size cap, a per-connection circuit breaker
 * and metrics. No retries, no redirects followed. What an upstream says in its error answers
 * goes to the log (sanitised, truncated), never into an API answer.
 */
@Injectable()
export class UpstreamHttpClient implements OnModuleDestroy {
  private readonly agent: Agent;
  private readonly breaker: CircuitBreaker;
  private readonly metrics = new UpstreamMetrics();
  private readonly logger = new Logger('Upstream');
  private readonly guard: EgressGuard;

  constructor(
    @Inject(UPSTREAM_HTTP_OPTIONS) private readonly options: UpstreamHttpOptions,
    @Optional() @Inject(CLOCK) clock: Clock = systemClock,
    @Optional() guard?: EgressGuard,
  ) {
    this.guard = guard ?? new EgressGuard(options, new UpstreamResolver());
    this.agent = new Agent({
      connections: options.connectionsPerOrigin,
      connect: this.guard.connector(),
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      // The body cap, counted by undici's parser as the bytes arrive: the answer is then read
      // with body.text() instead of an async iterator over the stream, which cost ~20 µs per call
      // (docs/performance.md#seventh-pass).
      maxResponseSize: options.maxBodyBytes,
    });
    this.breaker = new CircuitBreaker(options.breakerFailures, options.breakerCooldownMs, clock);
  }

  /**
   * Sends the request and hands the answer to `interpret`, which returns the result or throws a
   * ProviderException. Upstream faults (timeouts, resets, 5xx, garbage) count against the breaker;
   * coherent refusals (4xx) count as a healthy upstream.
   */
  async call<T>(request: UpstreamRequest, interpret: (response: UpstreamResponse) => T): Promise<T> {
    try {
      this.breaker.acquire(request.breakerKey);
    } catch (error) {
      this.metrics.observe(request, ProviderExceptionCode.UPSTREAM_CIRCUIT_OPEN, 0);
      throw error;
    }
    const started = performance.now();
    let outcome = 'ok';
    try {
      const response = await this.send(request);
      if (response.status >= 300) this.logAnswer(request, response);
      const result = interpret(response);
      this.breaker.recordHealthy(request.breakerKey);
      return result;
    } catch (error) {
      const isProviderError = error instanceof ProviderException;
      outcome = isProviderError ? error.code : ProviderExceptionCode.UPSTREAM_ERROR;
      // A refusal of the broker's own egress policy says nothing about the upstream's health.
      if (isProviderError && error.code === ProviderExceptionCode.UPSTREAM_ADDRESS_NOT_ALLOWED)
        this.breaker.recordNeutral(request.breakerKey);
      else if (!isProviderError || UPSTREAM_FAULT_CODES.has(error.code)) this.breaker.recordFault(request.breakerKey);
      else this.breaker.recordHealthy(request.breakerKey);
      throw error;
    } finally {
      this.metrics.observe(request, outcome, (performance.now() - started) / 1000);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.agent.close();
  }

  private async send(request: UpstreamRequest): Promise<UpstreamResponse> {
    // The scheme is checked per request (the address per connection, in the guard): a stored
    // http base URL is refused in production unless UPSTREAM_ALLOW_HTTP=true.
    if (!request.url.startsWith('https://') && !this.guard.policy.allowHttp) {
      this.logger.warn({ connection_id: request.breakerKey }, 'http upstream URL refused by the egress policy');
      throw egressRefused();
    }
    const deadline = new CallDeadline(this.options.timeoutMs);
    try {
      const response = await undiciRequest(request.url, {
        dispatcher: this.agent,
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: deadline,
      });
      if (Number(response.headers['content-length']) > this.options.maxBodyBytes) {
        // Destroyed unread, the body emits an abort error; once undici has finished the request
        // (the whole answer came with its headers) no listener of its own is left for it, and an
        // unheard 'error' is an uncaught exception (seen in the spec without maxResponseSize).
        response.body.on('error', () => undefined).destroy();
        throw tooLarge();
      }
      return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
    } catch (error) {
      if (error instanceof ProviderException) throw error;
      if ((error as { code?: unknown } | null)?.code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') throw tooLarge(error);
      const classified = classifyTransportError(error, deadline.aborted, this.options.timeoutMs);
      if (classified.code !== ProviderExceptionCode.UPSTREAM_ADDRESS_NOT_ALLOWED) {
        // The cause (refused, reset, TLS, DNS, …) is for operators; the answer says only "unreachable".
        const cause = error as { code?: unknown; message?: unknown } | null;
        const said = [cause?.code, cause?.message].find((value) => typeof value === 'string');
        this.logger.warn(
          {
            connection_id: request.breakerKey,
            provider: request.provider,
            operation: request.operation,
            code: classified.code,
            cause: typeof said === 'string' ? said.slice(0, 120) : 'unknown',
          },
          'upstream call failed',
        );
      }
      throw classified;
    } finally {
      deadline.end();
    }
  }

  private logAnswer(request: UpstreamRequest, response: UpstreamResponse): void {
    this.logger.warn(
      {
        connection_id: request.breakerKey,
        provider: request.provider,
        operation: request.operation,
        status: response.status,
        upstream_says: describeUpstreamAnswer(response),
      },
      'upstream answered with an error status',
    );
  }
}

function tooLarge(cause?: unknown): ProviderException {
  return upstreamError('The upstream answer exceeded the size limit.', cause);
}
