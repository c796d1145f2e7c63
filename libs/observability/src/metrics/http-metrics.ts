import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Counter, Histogram } from 'prom-client';
import { getOrCreateCounter, getOrCreateHistogram } from './metric-factory';
import { routeLabel } from './route-label';

const LABELS = ['method', 'route', 'status'] as const;
type HttpLabel = (typeof LABELS)[number];

const DURATION = 'http_request_duration_seconds';

/**
 * Counts every answer, including guard rejections, body errors and 404s, which an interceptor
 * would miss: it is fed from Fastify's `onResponse` hook, once the response is finished.
 */
@Injectable()
export class HttpMetrics {
  private readonly duration = getOrCreateHistogram({
    name: DURATION,
    help: 'Time from request to finished response, by method, route template and status.',
    labelNames: LABELS,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });

  constructor() {
    // http_requests_total is the duration histogram's own count per series, copied when scraped:
    // one prom-client call per request instead of two (each builds, checks and hashes the labels;
    // on GET /health/live that was ~2% of the broker's CPU, docs/performance.md#sixth-pass).
    getOrCreateCounter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route template and status.',
      labelNames: LABELS,
      collect: countsOf(this.duration),
    });
  }

  record(request: FastifyRequest, reply: FastifyReply): void {
    this.duration.observe(
      { method: request.method, route: routeLabel(request), status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  }
}

/** A counter's `collect`: its series become the histogram's `_count` samples, as they are now. */
function countsOf(histogram: Histogram<HttpLabel>): (this: Counter<HttpLabel>) => Promise<void> {
  return async function (this: Counter<HttpLabel>) {
    const { values } = await histogram.get();
    // After the await, in one synchronous pass: a concurrent scrape never sees a half-built counter.
    this.reset();
    for (const sample of values) {
      if (sample.metricName === `${DURATION}_count`) this.inc(sample.labels, sample.value);
    }
  };
}
