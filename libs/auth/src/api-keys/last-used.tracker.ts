import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

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

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

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

  private async write(rows: Array<[string, Date]>): Promise<void> {
    const values = rows.map((_, i) => `($${2 * i + 1}::uuid, $${2 * i + 2}::timestamptz)`).join(', ');
    await this.dataSource.query(
      `UPDATE api_keys AS k SET last_used_at = v.used_at
         FROM (VALUES ${values}) AS v (id, used_at)
        WHERE k.id = v.id
          AND (k.last_used_at IS NULL OR k.last_used_at < v.used_at - make_interval(secs => $${2 * rows.length + 1}))`,
      [...rows.flatMap(([keyId, usedAt]) => [keyId, usedAt.toISOString()]), LAST_USED_RESOLUTION_MS / 1000],
    );
  }
}
