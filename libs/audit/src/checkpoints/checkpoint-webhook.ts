import { getOrCreateCounter } from '@app/observability';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { request } from 'undici';
import { AuditCheckpointStore, type DueDelivery } from './audit-checkpoint.store';
import { AUDIT_CHECKPOINT_SETTINGS, type AuditCheckpointSettings } from './audit-checkpoint.settings';

const POLL_MS = 5000;
const BATCH = 50;
const CONCURRENCY = 4;
const REQUEST_TIMEOUT_MS = 10_000;
/** A claimed delivery is retried by any instance if its claimer has not settled it by then. */
const LEASE_SECONDS = 60;
const MAX_BACKOFF_SECONDS = 600;

/** 1 s, 2 s, 4 s … after each failed attempt, at most 10 minutes; never given up. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(MAX_BACKOFF_SECONDS, 2 ** Math.max(0, attempts - 1));
}

export interface DeliveryRunResult {
  delivered: number;
  failed: number;
}

/**
 * The HTTP sink (AUDIT_CHECKPOINT_WEBHOOK_URL): POSTs each checkpoint note as `text/plain`, with
 * `X-Audit-Chain-Id`, `X-Audit-Seq` and `X-Audit-Checkpoint-Id` headers. Deliveries are an
 * outbox in PostgreSQL (`audit_checkpoint_deliveries`, queued in the statement that records the
 * checkpoint), claimed with `FOR UPDATE SKIP LOCKED` by any instance, so a restart or a receiver
 * outage loses nothing; a receiver may see a note twice (at-least-once) and should key on the
 * checkpoint id or (chain, seq).
 */
@Injectable()
export class CheckpointWebhook implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CheckpointWebhook.name);
  private readonly attempts = getOrCreateCounter({
    name: 'audit_checkpoint_webhook_attempts_total',
    help: 'Checkpoint webhook POSTs, by outcome.',
    labelNames: ['outcome'] as const,
  });
  private timer?: NodeJS.Timeout;
  private running?: Promise<DeliveryRunResult>;

  constructor(
    private readonly store: AuditCheckpointStore,
    @Inject(AUDIT_CHECKPOINT_SETTINGS) private readonly settings: AuditCheckpointSettings,
  ) {}

  get enabled(): boolean {
    return this.settings.webhookUrl !== null;
  }

  onApplicationBootstrap(): void {
    if (!this.enabled || this.settings.intervalSeconds === 0) return;
    this.timer = setInterval(() => this.kick(), POLL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Starts a delivery run in the background (errors are logged). */
  kick(): void {
    if (!this.enabled) return;
    void this.deliverDue().catch((error: Error) => this.logger.warn(`checkpoint webhook run failed: ${error.message}`));
  }

  /** Delivers every due note (in batches); a call while a run is in progress joins it. */
  deliverDue(): Promise<DeliveryRunResult> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(): Promise<DeliveryRunResult> {
    const result = { delivered: 0, failed: 0 };
    if (!this.enabled) return result;
    for (;;) {
      const due = await this.store.claimDueDeliveriesOfAllTenants(BATCH, LEASE_SECONDS);
      for (let i = 0; i < due.length; i += CONCURRENCY) {
        const outcomes = await Promise.all(due.slice(i, i + CONCURRENCY).map((d) => this.deliver(d)));
        for (const ok of outcomes) result[ok ? 'delivered' : 'failed'] += 1;
      }
      if (due.length < BATCH) return result;
    }
  }

  private async deliver(delivery: DueDelivery): Promise<boolean> {
    let failure: string;
    try {
      const answer = await request(this.settings.webhookUrl!, {
        method: 'POST',
        body: delivery.note,
        headers: {
          'content-type': 'text/plain; charset=utf-8',
          'x-audit-chain-id': delivery.chain_id,
          'x-audit-seq': delivery.seq,
          'x-audit-checkpoint-id': delivery.checkpoint_id,
        },
        headersTimeout: REQUEST_TIMEOUT_MS,
        bodyTimeout: REQUEST_TIMEOUT_MS,
      });
      await answer.body.dump();
      if (answer.statusCode >= 200 && answer.statusCode < 300) {
        await this.store.markDelivered(delivery.checkpoint_id);
        this.attempts.inc({ outcome: 'delivered' });
        return true;
      }
      failure = `HTTP ${answer.statusCode}`;
    } catch (error) {
      failure = (error as Error).message || 'request failed';
    }
    const delay = retryDelaySeconds(delivery.attempts);
    this.attempts.inc({ outcome: 'failed' });
    this.logger.warn(
      `checkpoint ${delivery.checkpoint_id} (chain ${delivery.chain_id}, seq ${delivery.seq}) not delivered: ${failure}; attempt ${delivery.attempts}, next in ${delay} s`,
    );
    await this.store.scheduleRetry(delivery.checkpoint_id, delay, failure);
    return false;
  }
}
