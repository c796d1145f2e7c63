import type { Environment } from '@app/config';
import { getOrCreateCounter } from '@app/observability';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { IdempotencyStore } from '../store/idempotency.store';
import { LoginLinksStore } from '../store/login-links.store';

/** Rows per statement: short transactions, short row locks, bounded WAL bursts. */
const BATCH_SIZE = 1000;
/** Rows per table per run at most; a backlog larger than this is worked off over several runs. */
const MAX_BATCHES_PER_RUN = 100;

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
    private readonly links: LoginLinksStore,
    private readonly idempotency: IdempotencyStore,
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
      login_links: await this.purgeTable('login_links', () =>
        this.links.purgeExpiredOfAllTenants(retentionHours, BATCH_SIZE),
      ),
      idempotency_replays: await this.purgeTable('login_link_idempotency', () =>
        this.idempotency.purgeExpiredOfAllTenants(BATCH_SIZE),
      ),
    };
    if (result.login_links + result.idempotency_replays > 0)
      this.logger.log(`purged expired link records: ${JSON.stringify(result)}`);
    return result;
  }

  private async purgeTable(table: string, purgeBatch: () => Promise<number>): Promise<number> {
    let total = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
      const n = await purgeBatch();
      total += n;
      this.purged.inc({ table }, n);
      if (n < BATCH_SIZE) break;
    }
    return total;
  }
}
