import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { getOrCreateCounter, getOrCreateHistogram } from './metric-factory';
import { routeLabel, routeTemplateOf } from './route-label';

const LABELS = ['method', 'route', 'status'] as const;

/**
 * Counts every answer, including guard rejections, body-parser errors and 404s, which an
 * interceptor would miss: it reads the route and status once the response is finished.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
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

  use(req: Request, res: Response, next: NextFunction): void {
    const stopTimer = this.duration.startTimer();
    const middlewareTemplate = routeTemplateOf(req);
    res.once('finish', () => {
      const labels = { method: req.method, route: routeLabel(req, middlewareTemplate), status: String(res.statusCode) };
      this.requests.inc(labels);
      stopTimer(labels);
    });
    next();
  }
}
