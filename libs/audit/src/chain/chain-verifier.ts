import { eventHash } from './canonical-event';
import type { StoredChainedEvent } from './chained-event';
import { GENESIS_HASH } from './chained-event';

export interface ChainHead {
  lastSeq: string;
  lastHash: string;
}

export interface ChainVerdict {
  events_checked: number;
  ok: boolean;
  first_broken_seq: number | null;
}

/**
 * Checks a chain read in seq order, one event at a time (constant memory). An event is broken
 * when its seq is not the next one (a deleted or reordered row), its prev_hash is not the
 * previous event's hash, or its hash does not match its recomputed content. After a break the
 * check continues from the stored hash, so only the first broken seq is reported. The head row
 * exposes rows removed from the end of the chain.
 */
export class ChainVerifier {
  private checked = 0;
  private expectedSeq = 1n;
  private previousHash = GENESIS_HASH;
  private firstBroken: bigint | null = null;

  push(event: StoredChainedEvent): void {
    this.checked += 1;
    const seq = BigInt(event.seq);
    if (seq !== this.expectedSeq) this.markBroken(seq > this.expectedSeq ? this.expectedSeq : seq);
    else if (event.prev_hash !== this.previousHash || eventHash(event) !== event.hash) this.markBroken(seq);
    this.expectedSeq = (seq >= this.expectedSeq ? seq : this.expectedSeq) + 1n;
    this.previousHash = event.hash;
  }

  finish(head: ChainHead | null): ChainVerdict {
    if (head) {
      const lastSeq = BigInt(head.lastSeq);
      const nextSeq = this.expectedSeq;
      if (lastSeq >= nextSeq) this.markBroken(nextSeq);
      else if (lastSeq === nextSeq - 1n && lastSeq > 0n && head.lastHash !== this.previousHash)
        this.markBroken(lastSeq);
    }
    return {
      events_checked: this.checked,
      ok: this.firstBroken === null,
      first_broken_seq: this.firstBroken === null ? null : Number(this.firstBroken),
    };
  }

  private markBroken(seq: bigint): void {
    if (this.firstBroken === null || seq < this.firstBroken) this.firstBroken = seq;
  }
}
