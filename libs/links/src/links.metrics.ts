import { getOrCreateCounter } from '@app/observability';
import { Injectable } from '@nestjs/common';

export type LinkOutcome =
  'issued' | 'failed' | 'refused' | 'redeemed' | 'redeem_failed' | 'redeem_rejected' | 'revoked' | 'viewed';

@Injectable()
export class LinksMetrics {
  private readonly total = getOrCreateCounter({
    name: 'login_links_total',
    help: 'Login links by provider, delivery and outcome.',
    labelNames: ['provider', 'delivery', 'outcome'] as const,
  });

  count(provider: string, delivery: string, outcome: LinkOutcome, n = 1): void {
    this.total.inc({ provider, delivery, outcome }, n);
  }
}
