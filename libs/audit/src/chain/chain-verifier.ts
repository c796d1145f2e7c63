import { eventHash } from './canonical-event';
import type { StoredChainedEvent } from './chained-event';
import { GENESIS_HASH } from './chained-event';

export interface ChainHead {
  lastSeq: string;
  lastHash: string;
  /** NULL on heads written before the append function recorded it. */
  lastOccurredAt?: Date | null;
}

/**
 * How far an event's occurred_at may run ahead of the verifying clock, and what verify tolerates
 * between the database clock and another machine's: the append function itself never stamps more
 * than 10 s ahead of the database clock (migration 1764520000000-AuditAppendFunction).
 */
export const MAX_CLOCK_SKEW_MS = 60_000;

export type ChainProblemKind =
  | 'seq'
  | 'prev_hash'
  | 'hash'
  | 'head'
  | 'time_order'
  | 'time_future'
  | 'checkpoint_mismatch'
  | 'checkpoint_beyond_chain'
  | 'checkpoint_invalid';

export interface ChainProblem {
  seq: number;
  problem: ChainProblemKind;
  detail: string;
}

export interface ChainVerdict {
  events_checked: number;
  ok: boolean;
  first_broken_seq: number | null;
  /** seq and hash of the newest event read: anchor them elsewhere to catch a later rewrite. */
  head_seq: number | null;
  head_hash: string | null;
  /** The first problems found, in the order found (at most MAX_REPORTED_PROBLEMS). */
  problems: ChainProblem[];
}

/** A signed checkpoint (or any trusted statement) that the chain holds `hash` at `seq`. */
export interface ChainAnchor {
  seq: bigint;
  hash: string;
  /** Where it came from, for the report: e.g. "checkpoint 12 (database)", a file name. */
  source: string;
}

/** The fields of an event that link it into its chain; the content hash is checked by the caller. */
export interface ChainLink {
  seq: bigint;
  prevHash: string;
  hash: string;
  occurredAtMs: number;
}

export interface ChainVerifierOptions {
  /** The verifying clock (database clock, or the machine's offline); events may not run ahead of it. */
  now?: Date;
  maxClockSkewMs?: number;
  /**
   * Start after a known point instead of the genesis: `hash` is the `hash` of event `seq`, or
   * null to accept the first event's prev_hash as given (a slice of a chain, e.g. an export
   * that starts after seq 1).
   */
  start?: { seq: bigint; hash: string | null };
}

const MAX_REPORTED_PROBLEMS = 20;

/**
 * Checks a chain read in seq order, one event at a time (constant memory, apart from anchors
 * not yet reached). An event is broken when its seq is not the next one (a deleted or reordered
 * row), its prev_hash is not the previous event's hash, or its hash does not match its
 * recomputed content. After a break the check continues from the stored hash, so only the first
 * broken seq is named. Time: occurred_at never goes backwards within a chain (the append
 * function guarantees it), so an event later than its successor, or later than the verifying
 * clock plus MAX_CLOCK_SKEW_MS, is reported. The head row exposes rows removed from the end, and
 * anchors (verified checkpoints) expose a rewritten or truncated chain even when the head was
 * rewound to match (docs/audit.md#verify).
 */
export class ChainVerifier {
  private checked = 0;
  private expectedSeq: bigint;
  private previousHash: string | null;
  private previousTime: number | null = null;
  private lastSeq: bigint | null = null;
  private lastHash: string | null = null;
  private lastTimeMs: number | null = null;
  private firstBroken: bigint | null = null;
  private readonly problems: ChainProblem[] = [];
  private readonly anchors = new Map<bigint, ChainAnchor[]>();
  private readonly latestAllowedMs: number | null;

  constructor(options: ChainVerifierOptions = {}) {
    this.expectedSeq = (options.start?.seq ?? 0n) + 1n;
    this.previousHash = options.start ? options.start.hash : GENESIS_HASH;
    this.latestAllowedMs = options.now ? options.now.getTime() + (options.maxClockSkewMs ?? MAX_CLOCK_SKEW_MS) : null;
  }

  /** Register an anchor before the events around its seq are pushed. */
  anchor(anchor: ChainAnchor): void {
    const list = this.anchors.get(anchor.seq);
    if (list) list.push(anchor);
    else this.anchors.set(anchor.seq, [anchor]);
  }

  /** A stored checkpoint whose signature or form does not verify: tampering evidence in itself. */
  invalidAnchor(seq: bigint, detail: string): void {
    this.report(seq, 'checkpoint_invalid', detail);
  }

  push(event: StoredChainedEvent): void {
    this.pushLink(
      {
        seq: BigInt(event.seq),
        prevHash: event.prev_hash,
        hash: event.hash,
        occurredAtMs: event.occurred_at.getTime(),
      },
      eventHash(event) === event.hash,
    );
  }

  /** An event whose content hash was already checked (`contentOk`), e.g. by an offline first pass. */
  pushLink(link: ChainLink, contentOk: boolean): void {
    this.checked += 1;
    const { seq } = link;
    if (seq !== this.expectedSeq) {
      const missing = seq > this.expectedSeq ? this.expectedSeq : seq;
      this.report(
        missing,
        'seq',
        seq > this.expectedSeq ? `seq ${this.expectedSeq} is missing` : `seq ${seq} appears out of order`,
      );
    } else if (this.previousHash !== null && link.prevHash !== this.previousHash) {
      this.report(seq, 'prev_hash', `prev_hash of seq ${seq} is not the hash of seq ${seq - 1n}`);
    } else if (!contentOk) {
      this.report(seq, 'hash', `seq ${seq} does not hash to its stored hash`);
    }
    if (this.previousTime !== null && this.lastSeq !== null && link.occurredAtMs < this.previousTime) {
      this.report(this.lastSeq, 'time_order', `occurred_at of seq ${this.lastSeq} runs ahead of seq ${seq}`);
    }
    if (this.latestAllowedMs !== null && link.occurredAtMs > this.latestAllowedMs) {
      this.report(seq, 'time_future', `occurred_at of seq ${seq} runs ahead of the verifying clock`);
    }
    const anchored = this.anchors.get(seq);
    if (anchored) {
      for (const anchor of anchored)
        if (anchor.hash !== link.hash)
          this.report(seq, 'checkpoint_mismatch', `seq ${seq} differs from ${anchor.source}`);
      this.anchors.delete(seq);
    }
    this.expectedSeq = (seq >= this.expectedSeq ? seq : this.expectedSeq) + 1n;
    this.previousHash = link.hash;
    this.previousTime = link.occurredAtMs;
    this.lastSeq = seq;
    this.lastHash = link.hash;
    this.lastTimeMs = link.occurredAtMs;
  }

  /**
   * `head`: the chain's head row (database), or undefined when there is none to compare (an
   * export file). Anchors not reached name the seq the chain lacks.
   */
  finish(head?: ChainHead | null): ChainVerdict {
    const nextSeq = this.expectedSeq;
    if (head) {
      const lastSeq = BigInt(head.lastSeq);
      if (lastSeq >= nextSeq) this.report(nextSeq, 'head', `the head names seq ${lastSeq}; the chain ends before it`);
      else if (lastSeq === nextSeq - 1n && lastSeq > 0n && head.lastHash !== this.previousHash)
        this.report(lastSeq, 'head', `the head's hash is not the hash of seq ${lastSeq}`);
      else if (
        lastSeq === nextSeq - 1n &&
        head.lastOccurredAt &&
        this.lastTimeMs !== null &&
        head.lastOccurredAt.getTime() !== this.lastTimeMs
      )
        this.report(lastSeq, 'head', `the head's last_occurred_at is not the occurred_at of seq ${lastSeq}`);
    }
    for (const [seq, anchors] of [...this.anchors.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      for (const anchor of anchors) {
        if (seq >= nextSeq)
          this.report(
            nextSeq,
            'checkpoint_beyond_chain',
            `${anchor.source} covers seq ${seq}; the chain ends at seq ${nextSeq - 1n}`,
          );
        else this.report(seq, 'checkpoint_mismatch', `no event at seq ${seq} as ${anchor.source} requires`);
      }
    }
    this.anchors.clear();
    return {
      events_checked: this.checked,
      ok: this.firstBroken === null,
      first_broken_seq: this.firstBroken === null ? null : Number(this.firstBroken),
      head_seq: this.lastSeq === null ? null : Number(this.lastSeq),
      head_hash: this.lastHash,
      problems: this.problems,
    };
  }

  private report(seq: bigint, problem: ChainProblemKind, detail: string): void {
    if (this.firstBroken === null || seq < this.firstBroken) this.firstBroken = seq;
    if (this.problems.length < MAX_REPORTED_PROBLEMS) this.problems.push({ seq: Number(seq), problem, detail });
  }
}
