import type { Environment } from '@app/config';
import { getOrCreateCounter } from '@app/observability';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** Rows per statement: short transactions, short row locks, bounded WAL bursts. */
const BATCH_SIZE = 1000;
/** Rows per table per run at most; a backlog larger than this is worked off over several runs. */
const MAX_BATCHES_PER_RUN = 100;

// SKIP LOCKED: instances purging at the same moment share the work instead of waiting on each other.
const PURGE_LINKS_SQL = `
  WITH doomed AS (
    SELECT id FROM login_links WHERE expires_at < now() - make_interval(hours => $1::int)
    ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED
  ), deleted AS (
    DELETE FROM login_links l USING doomed WHERE l.id = doomed.id RETURNING 1
  ) SELECT count(*)::int AS n FROM deleted`;

const PURGE_REPLAYS_SQL = `
  WITH doomed AS (
    SELECT tenant_id, key_hash FROM login_link_idempotency WHERE expires_at < now()
    ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED
  ), deleted AS (
    DELETE FROM login_link_idempotency r USING doomed
    WHERE r.tenant_id = doomed.tenant_id AND r.key_hash = doomed.key_hash RETURNING 1
  ) SELECT count(*)::int AS n FROM deleted`;

export interface PurgeResult {
  login_links: number;
  idempotency_replays: number;
}

/**
 * Keeps login_links and login_link_idempotency bounded: link records go LINK_RECORD_RETENTION_HOURS
 * after they expire (with them the user identifiers they hold), Idempotency-Key replays when their
 * 24 h window ends. Every instance runs it; the statements make concurrent runs safe. The audit
 * log is untouched: it is the permanent record, these tables are working state.
 */
@Injectable()
export class ExpiredLinkRecordsJanitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ExpiredLinkRecordsJanitor.name);
  private readonly purged = getOrCreateCounter({
    name: 'login_link_records_purged_total',
    help: 'Expired login link records and Idempotency-Key replays deleted by the purge.',
    labelNames: ['table'] as const,
  });
  private timer?: NodeJS.Timeout;
  private running?: Promise<PurgeResult>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: ConfigService<Environment, true>,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.getOrThrow('LINK_PURGE_INTERVAL_SECONDS', { infer: true });
    if (seconds === 0) return;
    this.timer = setInterval(
      () =>
        void this.purge().catch((error: Error) =>
          this.logger.warn(`purge of expired link records failed: ${error.message}`),
        ),
      seconds * 1000,
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One run; a call while a run is in progress joins it. */
  purge(): Promise<PurgeResult> {
    this.running ??= this.purgeAll().finally(() => (this.running = undefined));
    return this.running;
  }

  private async purgeAll(): Promise<PurgeResult> {
    const retentionHours = this.config.getOrThrow('LINK_RECORD_RETENTION_HOURS', { infer: true });
    const result = {
      login_links: await this.purgeTable('login_links', PURGE_LINKS_SQL, [retentionHours, BATCH_SIZE]),
      idempotency_replays: await this.purgeTable('login_link_idempotency', PURGE_REPLAYS_SQL, [BATCH_SIZE]),
    };
    if (result.login_links + result.idempotency_replays > 0)
      this.logger.log(`purged expired link records: ${JSON.stringify(result)}`);
    return result;
  }

  private async purgeTable(table: string, sql: string, params: unknown[]): Promise<number> {
    let total = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
      const [{ n }] = await this.dataSource.query<Array<{ n: number }>>(sql, params);
      total += n;
      this.purged.inc({ table }, n);
      if (n < BATCH_SIZE) break;
    }
    return total;
  }
}
