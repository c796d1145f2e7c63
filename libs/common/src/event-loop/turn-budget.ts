import { DEFAULT_SLICE_MS } from './for-each-yielding';

/**
 * For a stream stage that a fast source drives synchronously, chunk after chunk: a socket hands
 * over up to 32 reads (2 MiB) per event-loop turn, and every stage downstream of it runs inside
 * that turn. `overrun()`, called after each chunk, says whether this turn has already run for
 * `sliceMs` since the stage's first chunk in it; the stage then completes its chunk on the next
 * turn (setImmediate), which holds its source back through the stream's backpressure.
 */
export class TurnBudget {
  private turnStarted = 0;
  private inTurn = false;

  constructor(private readonly sliceMs = DEFAULT_SLICE_MS) {}

  overrun(): boolean {
    const now = performance.now();
    if (!this.inTurn) {
      this.inTurn = true;
      this.turnStarted = now;
      // Runs after the I/O of this turn: the next chunk opens a new turn.
      setImmediate(() => (this.inTurn = false));
      return false;
    }
    return now - this.turnStarted >= this.sliceMs;
  }
}
