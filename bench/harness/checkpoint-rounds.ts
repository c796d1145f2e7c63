import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuditCheckpointer,
  AuditCheckpointStore,
  AuditSigningKeyRing,
  CheckpointSigner,
  CheckpointWebhook,
} from '@app/audit';
import { DataSource } from 'typeorm';

/** What the broker contenders are started with, so the final chain verify accepts the bench's notes. */
export const BENCH_CHECKPOINT_ORIGIN = 'bench.example/audit';

export interface CheckpointRoundCost {
  /** Events verified (hashed again from their stored columns) before their chain heads were signed. */
  events: number;
  checkpoints: number;
  ms: number;
  /** This process's CPU for the round: the work a broker instance does for it. */
  cpuMs: number;
}

/**
 * The broker's audit checkpoint rounds, made by the bench between runs with the broker's own
 * code, key and origin, instead of on each broker's timer. On the timer, a round (every 60 s,
 * verifying every event since the last one, the baseline's included, as they share the chains)
 * landed in whichever run was going and took up to a third of its CPU
 * (docs/performance.md#checkpoint-rounds-between-runs). Here it runs while nothing is measured,
 * and its cost per event is reported beside the links.
 */
export class BetweenRunsCheckpointer {
  private constructor(
    private readonly dataSource: DataSource,
    private readonly checkpointer: AuditCheckpointer,
  ) {}

  static async open(databaseUrl: string, signingKeys: string): Promise<BetweenRunsCheckpointer> {
    const dataSource = await new DataSource({ type: 'postgres', url: databaseUrl, extra: { max: 2 } }).initialize();
    const store = new AuditCheckpointStore(dataSource);
    const settings = {
      intervalSeconds: 0,
      directory: mkdtempSync(join(tmpdir(), 'sso-bench-checkpoints-')),
      webhookUrl: null,
    };
    const signer = new CheckpointSigner(AuditSigningKeyRing.parse(signingKeys), BENCH_CHECKPOINT_ORIGIN);
    return new BetweenRunsCheckpointer(
      dataSource,
      new AuditCheckpointer(store, signer, new CheckpointWebhook(store, settings), settings),
    );
  }

  async round(): Promise<CheckpointRoundCost> {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const result = await this.checkpointer.run();
    const used = process.cpuUsage(cpu);
    if (result.refused.length > 0)
      throw new Error(`the checkpoint round refused chains: ${JSON.stringify(result.refused)}`);
    return {
      events: result.events_verified,
      checkpoints: result.checkpoints,
      ms: Math.round(performance.now() - started),
      cpuMs: Math.round((used.user + used.system) / 1000),
    };
  }

  close(): Promise<void> {
    return this.dataSource.destroy();
  }
}
