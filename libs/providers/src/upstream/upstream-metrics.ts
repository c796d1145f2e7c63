import { Counter, Histogram, register } from 'prom-client';

const LABELS = ['provider', 'operation', 'outcome'] as const;

function histogram(): Histogram<(typeof LABELS)[number]> {
  const name = 'upstream_request_duration_seconds';
  const existing = register.getSingleMetric(name) as Histogram<(typeof LABELS)[number]> | undefined;
  return existing ?? new Histogram({
    name,
    help: 'Duration of calls to upstream platforms, body included.',
    labelNames: LABELS,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
  });
}

function counter(): Counter<(typeof LABELS)[number]> {
  const name = 'upstream_requests_total';
  const existing = register.getSingleMetric(name) as Counter<(typeof LABELS)[number]> | undefined;
  return existing ?? new Counter({ name, help: 'Calls to upstream platforms by outcome.', labelNames: LABELS });
}

export interface UpstreamCallLabels {
  provider: string;
  operation: string;
  /** 'ok' or the ProviderException code. */
  outcome: string;
}

export class UpstreamMetrics {
  private readonly duration = histogram();
  private readonly total = counter();

  observe(labels: UpstreamCallLabels, seconds: number): void {
    this.duration.observe(labels, seconds);
    this.total.inc(labels);
  }
}
