import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { getOrCreateCounter, getOrCreateHistogram } from './metric-factory';
import { routeLabel } from './route-label';

const LABELS = ['method', 'route', 'status'] as const;

/**
 * Counts every answer, including guard rejections, body errors and 404s, which an interceptor
 * would miss: it is fed from Fastify's `onResponse` hook, once the response is finished.
 */
@Injectable()
export class HttpMetrics {
  private readonly requests = getOrCreateCounter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template and status.',
    labelNames: LABELS,
  });
  private readonly duration = getOrCreateHistogram({
    name: 'http_request_duration_seconds',
    help: 'Time from request to finished response, by method, route template and status.',
    labelNames: LABELS,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });

  record(request: FastifyRequest, reply: FastifyReply): void {
    const labels = { method: request.method, route: routeLabel(request), status: String(reply.statusCode) };
    this.requests.inc(labels);
    this.duration.observe(labels, reply.elapsedTime / 1000);
  }
}
