import { getOrCreateCounter } from '@app/observability';
import { Injectable } from '@nestjs/common';

export type LinkOutcome = 'issued' | 'failed' | 'redeemed' | 'redeem_failed' | 'redeem_rejected';

@Injectable()
export class LinksMetrics {
  private readonly total = getOrCreateCounter({
    name: 'login_links_total',
    help: 'Login links by provider, delivery and outcome.',
    labelNames: ['provider', 'delivery', 'outcome'] as const,
  });

  count(provider: string, delivery: string, outcome: LinkOutcome): void {
    this.total.inc({ provider, delivery, outcome });
  }
}
