import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** A tenant's own limit changes rarely; a few seconds of staleness saves a query per request. */
const CACHE_TTL_MS = 5_000;

interface CachedLimit {
  // The lookup itself, so that the requests of a tenant arriving while it runs share it instead of each querying.
  lookup: Promise<number | null>;
  /** Its answer once it has come: then the limit is answered as a plain number, with no promise. */
  limit?: number | null;
  expiresAt: number;
}

/** Per-tenant overrides (`tenants.rate_limit_per_minute`), null meaning "the default". */
@Injectable()
export class TenantRateLimits {
  private readonly cache = new Map<string, CachedLimit>();

  constructor(private readonly dataSource: DataSource) {}

  /**
   * A number when the tenant's entry is fresh and its lookup has answered (every request but
   * the first few of each 5 s): the rate-limit guard then decides without a promise.
   */
  perMinute(tenantId: string, fallback: number): number | Promise<number> {
    const now = Date.now();
    let cached = this.cache.get(tenantId);
    if (!cached || cached.expiresAt <= now) {
      const entry: CachedLimit = { lookup: this.load(tenantId), expiresAt: now + CACHE_TTL_MS };
      void entry.lookup.then((limit) => (entry.limit = limit));
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(tenantId, (cached = entry));
    }
    if (cached.limit !== undefined) return cached.limit ?? fallback;
    return cached.lookup.then((limit) => limit ?? fallback);
  }

  private async load(tenantId: string): Promise<number | null> {
    try {
      const rows: { rate_limit_per_minute: number | null }[] = await this.dataSource.query(
        'SELECT rate_limit_per_minute FROM tenants WHERE id = $1',
        [tenantId],
      );
      return rows[0]?.rate_limit_per_minute ?? null;
    } catch {
      // Same fail-open stance as the bucket storage: the default limit still applies.
      return null;
    }
  }
}
