import { type TenantSelection } from '@app/common';
import { Injectable } from '@nestjs/common';
import type {
  AuditStatsDto,
  AuditStatsQueryDto,
  IssuanceBucketDto,
  IssuanceCountsDto,
  ProviderIssuanceCountsDto,
} from '../dto/audit-stats.dto';
import { AuditStore } from '../store/audit.store';

const HOUR_MS = 3_600_000;
const WINDOWS = {
  '24h': { bucket: 'hour', count: 24, ms: HOUR_MS },
  '30d': { bucket: 'day', count: 30, ms: 24 * HOUR_MS },
} as const;

const COUNTED = {
  'login_link.issued': 'issued',
  'login_link.failed': 'failed',
  'login_link.redeemed': 'redeemed',
} as const satisfies Record<string, keyof IssuanceCountsDto>;

/**
 * Link issuance over time for the console's home chart: counts of issued, failed and redeemed
 * links per hour (24 h) or per day (30 d) and per provider, from the audit log, within the caller's
 * tenant selection like the audit list (docs/api.md#audit-routes).
 */
@Injectable()
export class AuditStatsService {
  constructor(private readonly store: AuditStore) {}

  async issuance(selection: TenantSelection, query: AuditStatsQueryDto, now = new Date()): Promise<AuditStatsDto> {
    const window = query.window ?? '24h';
    const { bucket, count, ms } = WINDOWS[window];
    const current = bucket === 'hour' ? utcHour(now) : utcDay(now);
    const from = new Date(current.getTime() - (count - 1) * ms);
    const rows = await this.store.issuanceCounts(selection, from, bucket, Object.keys(COUNTED));
    const providers = [...new Set(rows.map((row) => row.provider))].sort();
    const buckets: IssuanceBucketDto[] = Array.from({ length: count }, (_, i) => ({
      start: new Date(from.getTime() + i * ms).toISOString(),
      ...zero(),
      providers: providers.map((provider): ProviderIssuanceCountsDto => ({ provider, ...zero() })),
    }));
    const totals = zero();
    for (const row of rows) {
      const index = Math.round((row.start.getTime() - from.getTime()) / ms);
      const target = buckets[index];
      if (target === undefined) continue;
      const field = COUNTED[row.action as keyof typeof COUNTED];
      target[field] += row.count;
      target.providers[providers.indexOf(row.provider)][field] += row.count;
      totals[field] += row.count;
    }
    return { window, bucket, from: from.toISOString(), providers, totals, buckets };
  }
}

function zero(): IssuanceCountsDto {
  return { issued: 0, failed: 0, redeemed: 0 };
}

function utcHour(date: Date): Date {
  return new Date(Math.floor(date.getTime() / HOUR_MS) * HOUR_MS);
}

function utcDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}
