import { getOrCreateCountedHistogram } from '@app/observability';

const LABELS = ['provider', 'operation', 'outcome'] as const;

export class UpstreamMetrics {
  private readonly duration = getOrCreateCountedHistogram(
    {
      name: 'upstream_request_duration_seconds',
      help: 'Duration of calls to upstream platforms, body included.',
      labelNames: LABELS,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    },
    { name: 'upstream_requests_total', help: 'Calls to upstream platforms by outcome.' },
  );

  /** `outcome`: 'ok' or the ProviderException code. One labels object per call, built here (no spreads). */
  observe(call: { provider: string; operation: string }, outcome: string, seconds: number): void {
    this.duration.observe({ provider: call.provider, operation: call.operation, outcome }, seconds);
  }
}
