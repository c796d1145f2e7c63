import { CLOCK, Clock, systemClock } from '@app/common';
import { Inject, Injectable, OnModuleDestroy, Optional } from '@nestjs/common';
import { Agent, request as undiciRequest } from 'undici';
import { ProviderException, ProviderExceptionCode, UPSTREAM_FAULT_CODES } from '../providers.exception';
import { CircuitBreaker } from './circuit-breaker';
import { UPSTREAM_HTTP_OPTIONS, UpstreamHttpOptions } from './upstream-http.options';
import { UpstreamMetrics } from './upstream-metrics';
import { classifyTransportError, upstreamError } from './upstream-errors';

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
 * The only way providers talk to upstreams: pooled keep-alive connections, a total deadline that
 * includes the body, a body size cap, a per-connection circuit breaker and metrics. No retries.
 */
@Injectable()
export class UpstreamHttpClient implements OnModuleDestroy {
  private readonly agent: Agent;
  private readonly breaker: CircuitBreaker;
  private readonly metrics = new UpstreamMetrics();

  constructor(
    @Inject(UPSTREAM_HTTP_OPTIONS) private readonly options: UpstreamHttpOptions,
    @Optional() @Inject(CLOCK) clock: Clock = systemClock,
  ) {
    this.agent = new Agent({
      connections: options.connectionsPerOrigin,
      connect: { timeout: options.connectTimeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    this.breaker = new CircuitBreaker(options.breakerFailures, options.breakerCooldownMs, clock);
  }

  /**
   * Sends the request and hands the answer to `interpret`, which returns the result or throws a
   * ProviderException. Upstream faults (timeouts, resets, 5xx, garbage) count against the breaker;
   * coherent refusals (4xx) count as a healthy upstream.
   */
  async call<T>(request: UpstreamRequest, interpret: (response: UpstreamResponse) => T): Promise<T> {
    const labels = { provider: request.provider, operation: request.operation };
    try {
      this.breaker.acquire(request.breakerKey);
    } catch (error) {
      this.metrics.observe({ ...labels, outcome: ProviderExceptionCode.UPSTREAM_CIRCUIT_OPEN }, 0);
      throw error;
    }
    const started = performance.now();
    let outcome = 'ok';
    try {
      const result = interpret(await this.send(request));
      this.breaker.recordHealthy(request.breakerKey);
      return result;
    } catch (error) {
      const isProviderError = error instanceof ProviderException;
      outcome = isProviderError ? error.code : ProviderExceptionCode.UPSTREAM_ERROR;
      if (!isProviderError || UPSTREAM_FAULT_CODES.has(error.code)) this.breaker.recordFault(request.breakerKey);
      else this.breaker.recordHealthy(request.breakerKey);
      throw error;
    } finally {
      this.metrics.observe({ ...labels, outcome }, (performance.now() - started) / 1000);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.agent.close();
  }

  private async send(request: UpstreamRequest): Promise<UpstreamResponse> {
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const response = await undiciRequest(request.url, {
        dispatcher: this.agent,
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal,
      });
      const text = await this.readCapped(response.body, response.headers['content-length']);
      return { status: response.statusCode, headers: response.headers, text };
    } catch (error) {
      if (error instanceof ProviderException) throw error;
      throw classifyTransportError(error, signal.aborted, this.options.timeoutMs);
    }
  }

  private async readCapped(
    body: AsyncIterable<Buffer> & { destroy(): unknown },
    contentLength: string | string[] | undefined,
  ): Promise<string> {
    const tooLarge = () => {
      body.destroy();
      return upstreamError('The upstream answer exceeded the size limit.');
    };
    if (Number(contentLength) > this.options.maxBodyBytes) throw tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      size += chunk.length;
      if (size > this.options.maxBodyBytes) throw tooLarge();
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
}
