import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, register } from 'prom-client';

export interface MetricsScrape {
  contentType: string;
  body: string;
}

/** Process metrics (CPU, memory, event-loop lag, GC) once per process, and the scrape itself. */
@Injectable()
export class MetricsService {
  constructor() {
    if (register.getSingleMetric('process_cpu_seconds_total') === undefined) collectDefaultMetrics();
  }

  async scrape(): Promise<MetricsScrape> {
    return { contentType: register.contentType, body: await register.metrics() };
  }
}
