import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** A tenant's own limit changes rarely; a few seconds of staleness saves a query per request. */
const CACHE_TTL_MS = 5_000;

interface CachedLimit {
  // The lookup itself, so that the requests of a tenant arriving while it runs share it instead of each querying.
  limit: Promise<number | null>;
  expiresAt: number;
}

/** Per-tenant overrides (`tenants.rate_limit_per_minute`), null meaning "the default". */
@Injectable()
export class TenantRateLimits {
  private readonly cache = new Map<string, CachedLimit>();

  constructor(private readonly dataSource: DataSource) {}

  async perMinute(tenantId: string, fallback: number): Promise<number> {
    const now = Date.now();
    let cached = this.cache.get(tenantId);
    if (!cached || cached.expiresAt <= now) {
      cached = { limit: this.load(tenantId), expiresAt: now + CACHE_TTL_MS };
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(tenantId, cached);
    }
    return (await cached.limit) ?? fallback;
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
