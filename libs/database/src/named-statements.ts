import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { PreparedQuery, type PreparedQueryDone } from './prepared-query';
import { type DataSource, type EntityManager, QueryFailedError } from 'typeorm';

/**
 * A statement PostgreSQL prepares once per pooled connection and then only binds and executes.
 * TypeORM's `query()` sends every statement unnamed, so PostgreSQL parses, analyses and plans it
 * on each execution; for the statements of the link-issuance hot path that planning cost more
 * than running them (docs/performance.md#where-the-brokers-time-goes).
 */
export interface NamedStatement {
  readonly name: string;
  readonly text: string;
}

const statements = new Map<string, NamedStatement>();

/**
 * The named statement for `text`. The name is `label` plus a digest of the text: stable across
 * instances and restarts, and distinct for two texts (node-postgres refuses to reuse a name for a
 * different text on the same connection). Memoised by text; callers pass texts built from code,
 * a handful of shapes each, never from input.
 */
export function namedStatement(label: string, text: string): NamedStatement {
  let statement = statements.get(text);
  if (statement === undefined) {
    const digest = createHash('sha256').update(text).digest('hex').slice(0, 16);
    statement = { name: `${label}_${digest}`, text };
    statements.set(text, statement);
  }
  return statement;
}

/**
 * Data-modifying CTEs that another lib asks a store to run at the head of its own statement,
 * saving a round trip, with one value read back from them (rate-limit's DeferredCharge folds a
 * request's charge into the link-target read this way). The CTE names are the prelude's own.
 */
export interface StatementPrelude {
  /** Names the prelude's shape: the same key always gives the same `ctes` text, so hosts memoise by it. */
  key: string;
  /** `name AS (…), …`: the WITH items, parameters numbered from `offset + 1`. */
  ctes(offset: number): string;
  params: readonly unknown[];
  /** A scalar expression over those CTEs, selected by the host statement as `prelude_result`. */
  resultSql: string;
  /**
   * Called by the host with `prelude_result` as soon as its statement has run, before it reads
   * its own rows; throws what the prelude's owner would (RateLimitedException, say).
   */
  accept(result: unknown): void;
}

interface QueryRunnerLike {
  connect(): Promise<PoolClient>;
}

/**
 * Runs a named statement and answers its rows. Inside a transaction (`db` is the transaction's
 * EntityManager) it runs on that transaction's connection; otherwise on a connection of the
 * app's pool, in autocommit. Each connection prepares the statement at its first use, so a
 * connection opened after a reconnect prepares it again. Errors are TypeORM's QueryFailedError,
 * as from `query()`, so callers and the problem filter see one error shape.
 */
export function queryNamed<Row>(
  db: DataSource | EntityManager,
  statement: NamedStatement,
  values: readonly unknown[],
): Promise<Row[]> {
  return new Promise<Row[]>((resolve, reject) => {
    const done: PreparedQueryDone = (error, rows) =>
      error === undefined ? resolve(rows as Row[]) : reject(new QueryFailedError(statement.text, [...values], error));
    const runner = 'queryRunner' in db ? (db.queryRunner as unknown as QueryRunnerLike | undefined) : undefined;
    if (runner !== undefined) {
      runner.connect().then(
        (client) => submit(client, new PreparedQuery(statement, values, client, done), done),
        (error: Error) => done(error, []),
      );
      return;
    }
    const dataSource = 'driver' in db ? db : db.dataSource;
    runOnPool((dataSource.driver as unknown as { master: Pool }).master, statement, values, done);
  });
}

/**
 * Checks a connection out of the pool, runs the statement on it and hands it back, all through
 * callbacks: the caller's one promise is the only one (pg-pool's promise API would add two, the
 * query's own a third; each is a turn of the microtask queue on every link, docs/performance.md#ninth-pass).
 */
function runOnPool(pool: Pool, statement: NamedStatement, values: readonly unknown[], done: PreparedQueryDone): void {
  pool.connect((connectError: Error | null | undefined, client: PoolClient | undefined) => {
    if (connectError || client === undefined) {
      done(connectError ?? new Error('the pool handed out no connection'), []);
      return;
    }
    // A checked-out client has no listener of the pool's: without one, a connection the server
    // ends (restart, failover) would emit an unhandled 'error' and take the process down.
    let broken: Error | undefined;
    const onError = (error: Error) => (broken = error);
    client.on('error', onError);
    const finish: PreparedQueryDone = (error, rows) => {
      client.removeListener('error', onError);
      // As TypeORM does: a statement's error leaves the connection usable (and its prepared
      // statements with it); a connection that itself failed is handed back to be discarded.
      client.release(broken);
      done(error, rows);
    };
    submit(client, new PreparedQuery(statement, values, client, finish), finish);
  });
}

/**
 * node-postgres reports a query's errors through its callback; should it ever throw instead, the
 * error still ends the query (here, inside pg-pool's callback, it would otherwise be uncaught).
 */
function submit(client: PoolClient, query: PreparedQuery, done: PreparedQueryDone): void {
  try {
    client.query(query);
  } catch (error) {
    done(error as Error, []);
  }
}
