import type { CompanionWrite } from './companion-write';

/** One event waiting for its chain's next statement. */
export interface PendingAppend {
  /** Events of equal `shape` can share a statement (the same companion tables and columns). */
  readonly shape: string;
  /** False when this event must go alone (appendBatchSql has no form for its companions). */
  readonly batchable: boolean;
  /** The event id followed by the rest of its statement parameters, as for a single append. */
  readonly params: readonly unknown[];
  readonly companions: readonly CompanionWrite[];
}

/** Runs one statement for `batch` (one event: the single append) and answers one row per event, in order. */
export type AppendExecutor<Row> = (batch: readonly PendingAppend[]) => Promise<Row[]>;

interface Waiting<Row> {
  append: PendingAppend;
  resolve: (row: Row) => void;
  reject: (error: unknown) => void;
}

/** How many events one statement carries at most: the chain head stays locked for all of them. */
export const MAX_APPEND_BATCH = 32;

/**
 * Group commit for autocommit appends (docs/architecture.md#audit-group-commit). Every append
 * locks its chain's head until it commits, so appends to one chain never run in parallel: sent
 * at once from many pooled connections, they only queue on the row lock inside PostgreSQL, each
 * holding a connection, and each pays its own lock wait, wake-up and WAL flush. Here each chain
 * has at most one statement in flight per broker instance; the events that arrive meanwhile go
 * together in the next one, in arrival order, and commit together. An idle chain's event is
 * sent at once, alone, so nothing waits for a batch to fill.
 *
 * A batch is one statement, so it commits or fails as a whole. When PostgreSQL rejects it for a
 * row's data (SQLSTATE classes 22 and 23: nothing was committed, and one event is the cause),
 * each event is retried alone, so only that event's caller sees the error; any other failure
 * (connection lost, timeout, permissions) is every caller's, as it would have been one by one.
 * Other instances' appends to the same chain still serialise on the row lock, as before.
 */
export class AppendBatcher<Row> {
  private readonly queues = new Map<string, Waiting<Row>[]>();

  constructor(
    private readonly execute: AppendExecutor<Row>,
    private readonly sqlState: (error: unknown) => string | undefined,
  ) {}

  append(chain: string, append: PendingAppend): Promise<Row> {
    return new Promise((resolve, reject) => {
      const waiting = { append, resolve, reject };
      const queue = this.queues.get(chain);
      if (queue !== undefined) {
        queue.push(waiting);
        return;
      }
      const started: Waiting<Row>[] = [];
      this.queues.set(chain, started);
      void this.drain(chain, started, [waiting]);
    });
  }

  /** Sends `batch`, then whatever queued meanwhile, until the chain's queue is empty. */
  private async drain(chain: string, queue: Waiting<Row>[], first: Waiting<Row>[]): Promise<void> {
    for (let batch = first; batch.length > 0; batch = nextBatch(queue)) await this.send(batch);
    this.queues.delete(chain);
  }

  private async send(batch: Waiting<Row>[]): Promise<void> {
    try {
      const rows = await this.execute(batch.map((waiting) => waiting.append));
      if (rows.length !== batch.length)
        throw new Error(`audit append answered ${rows.length} rows for ${batch.length} events`);
      batch.forEach((waiting, i) => waiting.resolve(rows[i]));
    } catch (error) {
      if (batch.length === 1 || !isRowDataError(this.sqlState(error))) {
        for (const waiting of batch) waiting.reject(error);
        return;
      }
      for (const waiting of batch) await this.send([waiting]);
    }
  }
}

/** The longest run at the queue's head that one statement can carry (taken off the queue). */
function nextBatch<Row>(queue: Waiting<Row>[]): Waiting<Row>[] {
  if (queue.length === 0) return [];
  const [head] = queue;
  let n = 1;
  if (head.append.batchable) {
    while (
      n < queue.length &&
      n < MAX_APPEND_BATCH &&
      queue[n].append.batchable &&
      queue[n].append.shape === head.append.shape
    )
      n += 1;
  }
  return queue.splice(0, n);
}

/** Data exceptions (22xxx) and integrity violations (23xxx): the statement was refused for a row's content. */
function isRowDataError(code: string | undefined): boolean {
  return code !== undefined && (code.startsWith('22') || code.startsWith('23'));
}
