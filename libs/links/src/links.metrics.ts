import { Injectable } from '@nestjs/common';
import { Counter, register } from 'prom-client';

const NAME = 'login_links_total';
const LABELS = ['provider', 'delivery', 'outcome'] as const;
type Label = (typeof LABELS)[number];

export type LinkOutcome = 'issued' | 'failed' | 'redeemed' | 'redeem_failed' | 'redeem_rejected';

function counter(): Counter<Label> {
  // Several apps in one process (tests, two instances) share prom-client's default registry.
  const existing = register.getSingleMetric(NAME);
  if (existing instanceof Counter) return existing as Counter<Label>;
  return new Counter({ name: NAME, help: 'Login links by provider, delivery and outcome.', labelNames: LABELS });
}

@Injectable()
export class LinksMetrics {
  private readonly total = counter();

  count(provider: string, delivery: string, outcome: LinkOutcome): void {
    this.total.inc({ provider, delivery, outcome });
  }
}
