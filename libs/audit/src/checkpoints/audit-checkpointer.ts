import { forEachYielding } from '@app/common';
import { getOrCreateCounter } from '@app/observability';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ChainVerifier, type ChainProblemKind } from '../chain/chain-verifier';
import { AuditCheckpointStore, type MovedChain, type NewCheckpoint, type SegmentRange } from './audit-checkpoint.store';
import { AUDIT_CHECKPOINT_SETTINGS, type AuditCheckpointSettings } from './audit-checkpoint.settings';
import { CheckpointFileSink } from './checkpoint-file-sink';
import { CheckpointSigner } from './checkpoint-note';
import { CheckpointWebhook } from './checkpoint-webhook';

/** Chains considered per round, fewest new events first; the rest wait for the next round. */
const MAX_CHAINS_PER_ROUND = 10_000;
/**
 * Events verified per round over all chains. A chain whose backlog is larger (its first
 * checkpoint, after checkpoints were off) is checkpointed part of the way and caught up over
 * the next rounds, so a round stays short and never signs what it did not verify.
 */
export const EVENT_BUDGET_PER_ROUND = 200_000;

/** Problems that mean the new events do not extend the last checkpoint: never signed over. */
const BREAKS: ReadonlySet<ChainProblemKind> = new Set(['seq', 'prev_hash', 'hash', 'head']);

export interface CheckpointRoundResult {
  /** Another instance held the checkpoint lock: it does this round. */
  skipped: boolean;
  chains_moved: number;
  events_verified: number;
  checkpoints: number;
  refused: Array<{ chain_id: string; seq: number; problem: string }>;
  statements: number;
  ms: number;
  /** Where the time went: reading moved heads, reading and verifying events, signing, file sink, insert and commit. */
  phases_ms: { heads: number; verify: number; sign: number; file_sink: number; record: number };
}

interface Plan extends SegmentRange {
  chain: MovedChain;
  verifier: ChainVerifier;
}

/**
 * Every AUDIT_CHECKPOINT_INTERVAL_SECONDS, each chain that moved since its last checkpoint gets a
 * new one (docs/audit.md#checkpoints): in one transaction holding a transaction-level advisory
 * lock (one instance per round; the others skip it), read the heads that moved, verify the new
 * events from the last checkpoint (hash, links, seq, and the head), sign a tlog-checkpoint note
 * for each chain that extends its last checkpoint, append the notes to the file sink (fsynced),
 * insert them (`ON CONFLICT (chain_id, seq) DO NOTHING`) with their webhook deliveries, commit.
 * A chain whose new events do not extend its last checkpoint is refused, logged at error level
 * and counted: the broker never signs a history inconsistent with one it signed before.
 */
@Injectable()
export class AuditCheckpointer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditCheckpointer.name);
  private readonly made = getOrCreateCounter({
    name: 'audit_checkpoints_total',
    help: 'Signed audit checkpoints recorded by this instance.',
  });
  private readonly refusals = getOrCreateCounter({
    name: 'audit_checkpoint_refusals_total',
    help: 'Chains not checkpointed because their new events do not extend the last checkpoint.',
  });
  private readonly fileSink: CheckpointFileSink;
  private timer?: NodeJS.Timeout;
  private running?: Promise<CheckpointRoundResult>;

  constructor(
    private readonly store: AuditCheckpointStore,
    private readonly signer: CheckpointSigner,
    private readonly webhook: CheckpointWebhook,
    @Inject(AUDIT_CHECKPOINT_SETTINGS) private readonly settings: AuditCheckpointSettings,
  ) {
    this.fileSink = new CheckpointFileSink(settings.directory);
  }

  onApplicationBootstrap(): void {
    if (this.settings.intervalSeconds === 0) return;
    this.timer = setInterval(
      () =>
        void this.run().catch((error: Error) => this.logger.error(`audit checkpoint round failed: ${error.message}`)),
      this.settings.intervalSeconds * 1000,
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One round; a call while a round is in progress joins it. */
  run(): Promise<CheckpointRoundResult> {
    this.running ??= this.round().finally(() => (this.running = undefined));
    return this.running;
  }

  private async round(): Promise<CheckpointRoundResult> {
    const started = performance.now();
    const result: CheckpointRoundResult = {
      skipped: false,
      chains_moved: 0,
      events_verified: 0,
      checkpoints: 0,
      refused: [],
      statements: 0,
      ms: 0,
      phases_ms: { heads: 0, verify: 0, sign: 0, file_sink: 0, record: 0 },
    };
    let mark = performance.now();
    const lap = (phase: keyof CheckpointRoundResult['phases_ms']) => {
      const now = performance.now();
      result.phases_ms[phase] = Math.round(now - mark);
      mark = now;
    };
    const round = await this.store.beginRound();
    if (!round) return { ...result, skipped: true, statements: 3, ms: performance.now() - started };
    try {
      const moved = await round.movedChainsOfAllTenants(MAX_CHAINS_PER_ROUND);
      result.chains_moved = moved.length;
      lap('heads');
      const plans = planRound(moved);
      const byChain = new Map(plans.map((plan) => [plan.chainId, plan]));
      // A batch is thousands of SHA-256 checks: in slices, so requests in flight are not held up.
      await round.readSegments(plans, (rows) => {
        result.events_verified += rows.length;
        return forEachYielding(rows, (row) => byChain.get(row.chain_id)?.verifier.push(row));
      });
      lap('verify');
      const checkpoints: NewCheckpoint[] = [];
      // 40-60 µs per chain (check and signature): 1,000 moved chains held the loop 40-60 ms in one go.
      await forEachYielding(plans, (plan) => {
        const refusal = this.check(plan);
        if (refusal) {
          result.refused.push({ chain_id: plan.chainId, ...refusal });
          return;
        }
        const statement = {
          chainId: plan.chainId,
          seq: plan.throughSeq,
          hash: plan.verifiedHash!,
          time: plan.chain.now,
        };
        const { note, keyId } = this.signer.sign(statement);
        checkpoints.push({ ...statement, keyId, note });
      });
      lap('sign');
      await this.fileSink.append(checkpoints);
      lap('file_sink');
      const recorded = await round.record(checkpoints, this.webhook.enabled);
      result.statements = round.statements + 1;
      await round.commit();
      lap('record');
      result.checkpoints = recorded.length;
      this.made.inc(recorded.length);
      if (recorded.length > 0) this.webhook.kick();
    } catch (error) {
      await round.rollback(error as Error);
      throw error;
    }
    for (const refused of result.refused) {
      this.refusals.inc();
      this.logger.error(
        `audit chain ${refused.chain_id} not checkpointed: seq ${refused.seq} ${refused.problem}; run npm run audit:verify for it`,
      );
    }
    result.ms = performance.now() - started;
    return result;
  }

  /** Why the verified segment may not be signed, or null. Sets plan.verifiedHash. */
  private check(plan: Plan & { verifiedHash?: string }): { seq: number; problem: string } | null {
    const verdict = plan.verifier.finish();
    const broken = verdict.problems.find((p) => BREAKS.has(p.problem));
    if (broken) return { seq: broken.seq, problem: broken.detail };
    for (const warning of verdict.problems)
      this.logger.warn(`audit chain ${plan.chainId}: ${warning.detail} (checkpointed nevertheless)`);
    const through = Number(plan.throughSeq);
    if (verdict.head_seq !== through || verdict.head_hash === null)
      return { seq: (verdict.head_seq ?? Number(plan.afterSeq)) + 1, problem: 'is missing' };
    if (plan.throughSeq === plan.chain.head_seq && verdict.head_hash !== plan.chain.head_hash.trim())
      return { seq: through, problem: 'does not carry the hash its chain head names' };
    plan.verifiedHash = verdict.head_hash;
    return null;
  }
}

/** Fewest new events first, within EVENT_BUDGET_PER_ROUND. */
function planRound(moved: readonly MovedChain[]): Array<Plan & { verifiedHash?: string }> {
  let budget = EVENT_BUDGET_PER_ROUND;
  const plans: Array<Plan & { verifiedHash?: string }> = [];
  for (const chain of moved) {
    const after = BigInt(chain.checkpoint_seq ?? '0');
    const take = BigInt(Math.min(budget, Number(BigInt(chain.head_seq) - after)));
    if (take <= 0n) break;
    budget -= Number(take);
    const start = chain.checkpoint_seq === null ? undefined : { seq: after, hash: chain.checkpoint_hash!.trim() };
    plans.push({
      chain,
      chainId: chain.chain_id,
      afterSeq: after.toString(),
      throughSeq: (after + take).toString(),
      verifier: new ChainVerifier({ now: chain.now, start }),
    });
  }
  return plans;
}
