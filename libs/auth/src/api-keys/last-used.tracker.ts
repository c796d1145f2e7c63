import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ApiKeysStore } from './api-keys.store';

/** last_used_at is informational: a minute of staleness is fine, a write per request is not. */
export const LAST_USED_RESOLUTION_MS = 60_000;
const FLUSH_INTERVAL_MS = 5_000;
const ROWS_PER_STATEMENT = 1_000;

/**
 * Collects key uses in memory and writes them in one batched UPDATE every few seconds (and at
 * shutdown). A key whose stored last_used_at is recent is not even queued, and the UPDATE itself
 * skips rows another instance already refreshed, so the write rate is about one per key per minute.
 */
@Injectable()
export class LastUsedTracker implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(LastUsedTracker.name);
  private pending = new Map<string, Date>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly store: ApiKeysStore) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  touch(keyId: string, storedLastUsedAt: Date | null, now = new Date()): void {
    if (storedLastUsedAt !== null && now.getTime() - storedLastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
    this.pending.set(keyId, now);
  }

  async flush(): Promise<void> {
    const batch = [...this.pending];
    this.pending = new Map();
    for (let start = 0; start < batch.length; start += ROWS_PER_STATEMENT) {
      const rows = batch.slice(start, start + ROWS_PER_STATEMENT);
      try {
        await this.write(rows);
      } catch (error) {
        this.logger.warn({ err: error, keys: rows.length }, 'could not record API key use; will retry');
        for (const [keyId, usedAt] of rows) if (!this.pending.has(keyId)) this.pending.set(keyId, usedAt);
      }
    }
  }

  private write(rows: Array<[string, Date]>): Promise<void> {
    return this.store.recordLastUsed(rows, LAST_USED_RESOLUTION_MS / 1000);
  }
}
