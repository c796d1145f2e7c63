import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { getOrCreateCountedHistogram } from './metric-factory';
import { routeLabel } from './route-label';

/**
 * Counts every answer, including guard rejections, body errors and 404s, which an interceptor
 * would miss: it is fed from Fastify's `onResponse` hook, once the response is finished.
 */
@Injectable()
export class HttpMetrics {
  private readonly duration = getOrCreateCountedHistogram(
    {
      name: 'http_request_duration_seconds',
      help: 'Time from request to finished response, by method, route template and status.',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    },
    { name: 'http_requests_total', help: 'HTTP requests answered, by method, route template and status.' },
  );

  record(request: FastifyRequest, reply: FastifyReply): void {
    this.duration.observe(
      { method: request.method, route: routeLabel(request), status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  }
}
