import { type FieldDef, Query } from 'pg';
// node-postgres's own mapping of a JS value to a parameter (exported by the package as pg/lib/*).
import { prepareValue } from 'pg/lib/utils';
import type { NamedStatement } from './named-statements';

type TypeParser = (value: string) => unknown;
type ParserSource = { getTypeParser(oid: number, format: 'text' | 'binary'): TypeParser };

/**
 * How the rows of one statement are built: a parser per column and an empty row to copy. PostgreSQL
 * describes a named statement's columns on every execution (node-postgres asks it to), and
 * node-postgres builds both from that description each time, in a dictionary-mode object that
 * every row is then copied from: ~50 µs per link of the hot path, the largest single function in
 * the broker's profile (docs/performance.md#prepared-query). The shape is kept per statement and
 * reused while the description matches it column for column.
 */
export class RowShape {
  private readonly parsers: TypeParser[];
  private readonly names: string[];
  private readonly binary: boolean[];
  /** Built by assignment on a literal, so V8 keeps it in fast mode and copies it cheaply. */
  private readonly empty: Record<string, null> = {};

  constructor(
    readonly fields: readonly FieldDef[],
    types: ParserSource,
  ) {
    this.names = fields.map((field) => field.name);
    this.binary = fields.map((field) => field.format === 'binary');
    this.parsers = fields.map((field, i) => types.getTypeParser(field.dataTypeID, this.binary[i] ? 'binary' : 'text'));
    for (const name of this.names) this.empty[name] = null;
  }

  /**
   * True when `fields` has the same columns, in the same order, of the same types and formats, and
   * `types` (the executing client's) parses each as this shape does: a client with type overrides
   * of its own gets a shape of its own.
   */
  describes(fields: readonly FieldDef[], types: ParserSource): boolean {
    if (fields.length !== this.fields.length) return false;
    for (let i = 0; i < fields.length; i++) {
      const known = this.fields[i];
      const field = fields[i];
      if (field.name !== known.name || field.dataTypeID !== known.dataTypeID || field.format !== known.format) {
        return false;
      }
      if (types.getTypeParser(field.dataTypeID, this.binary[i] ? 'binary' : 'text') !== this.parsers[i]) return false;
    }
    return true;
  }

  /** A row as node-postgres would build it: NULL as null, a repeated column name keeps the last value. */
  parse(values: readonly (string | Buffer | null)[]): Record<string, unknown> {
    const row: Record<string, unknown> = { ...this.empty };
    for (let i = 0; i < values.length; i++) {
      const raw = values[i];
      row[this.names[i]] =
        raw === null
          ? null
          : this.parsers[i](this.binary[i] ? (Buffer.from(raw) as unknown as string) : (raw as string));
    }
    return row;
  }
}

/** The row shapes of named statements, by statement name (a handful per process, never from input). */
const shapes = new Map<string, RowShape>();

function shapeFor(name: string, fields: readonly FieldDef[], types: ParserSource): RowShape {
  const known = shapes.get(name);
  if (known?.describes(fields, types)) return known;
  // First execution, the columns changed under the same text (a migration altered a type), or a
  // client that parses a type differently: the shape follows what this execution needs.
  const shape = new RowShape(fields, types);
  shapes.set(name, shape);
  return shape;
}

/** The parts of node-postgres's Query this subclass sets or calls; they are plain fields at runtime. */
interface QueryInternals {
  name: string;
  values: unknown[];
  callback: (error: Error | null | undefined) => void;
  handleError(error: Error, connection: PgConnection): void;
}

/** The parts of node-postgres's Connection (the protocol writer under a Client) used here. */
interface PgConnection {
  parsedStatements: Record<string, string | undefined>;
  bind(config: { statement: string; values: unknown[]; valueMapper: (value: unknown) => unknown }): void;
  execute(config: { portal: string }): void;
  sync(): void;
}

/**
 * The row shape each connection has been told for each statement it prepared. PostgreSQL never
 * changes a prepared statement's result columns under it: when a schema change would, executing
 * the statement fails ("cached plan must not change result type") rather than answering other
 * columns. So once a connection has described a statement, its later executions there skip the
 * Describe step: PostgreSQL builds no RowDescription for them and node-postgres parses none
 * (docs/performance.md#eleventh-pass). A reconnected client is a new connection and describes afresh.
 */
const describedOn = new WeakMap<PgConnection, Map<string, RowShape>>();

/** Called once, when PostgreSQL has answered: with the statement's error, or with its rows. */
export type PreparedQueryDone = (error: Error | undefined, rows: Record<string, unknown>[]) => void;

/**
 * A named statement's execution, submitted to node-postgres as its own Query. It keeps
 * node-postgres's protocol handling (parse once per connection, then bind, describe, execute,
 * sync; errors; the connection's queue) and replaces only how rows are built: through the
 * statement's memoised RowShape. The text is handed to Query as a string, which node-postgres
 * takes as is; a config object it would first copy property by property (~7 µs per query). It
 * answers through a callback, so that a caller running it on a pooled connection can wrap the
 * checkout, the query and the release in one promise (`queryNamed`); `runPrepared` is the promise.
 */
export class PreparedQuery extends Query {
  // Private fields (#): node-postgres's Query has fields of its own (rows, types…) these must not shadow.
  readonly #parsers: ParserSource;
  readonly #rows: Record<string, unknown>[] = [];
  #shape: RowShape | undefined;
  #rowError: Error | undefined;
  #connection: PgConnection | undefined;

  constructor(statement: NamedStatement, values: readonly unknown[], parsers: ParserSource, done: PreparedQueryDone) {
    super(statement.text);
    this.#parsers = parsers;
    const internals = this as unknown as QueryInternals;
    internals.name = statement.name;
    internals.values = values as unknown[];
    // node-postgres calls back once: with the statement's error, or with none at ReadyForQuery.
    internals.callback = (error) => done(error ?? this.#rowError, this.#rows);
  }

  /**
   * node-postgres's extended-protocol sequence (parse once per connection, bind, describe, execute,
   * sync), without the describe when this connection already described the statement: then the
   * shape it answered is the one its rows have.
   */
  prepare(connection: PgConnection): void {
    const internals = this as unknown as QueryInternals;
    const known =
      connection.parsedStatements[internals.name] === undefined
        ? undefined
        : describedOn.get(connection)?.get(internals.name);
    if (known === undefined) {
      this.#connection = connection;
      (Query.prototype as unknown as { prepare(connection: PgConnection): void }).prepare.call(this, connection);
      return;
    }
    this.#shape = known;
    try {
      connection.bind({ statement: internals.name, values: internals.values, valueMapper: prepareValue });
    } catch (error) {
      // A value that cannot be sent (nothing of the Bind was written): Sync alone ends the query.
      // node-postgres also closes the statement here, which deallocates it on the server while
      // the connection still counts it as prepared, so that its next execution would fail.
      connection.sync();
      internals.handleError(error as Error, connection);
      return;
    }
    connection.execute({ portal: '' });
    connection.sync();
  }

  handleRowDescription(message: { fields: FieldDef[] }): void {
    const { name } = this as unknown as QueryInternals;
    this.#shape = shapeFor(name, message.fields, this.#parsers);
    const connection = this.#connection;
    if (connection === undefined) return;
    let shapes = describedOn.get(connection);
    if (shapes === undefined) describedOn.set(connection, (shapes = new Map<string, RowShape>()));
    shapes.set(name, this.#shape);
  }

  handleDataRow(message: { fields: (string | Buffer | null)[] }): void {
    if (this.#rowError !== undefined) return;
    try {
      if (this.#shape === undefined) throw new Error('a data row arrived before its row description');
      this.#rows.push(this.#shape.parse(message.fields));
    } catch (error) {
      // As node-postgres does: the rest of the answer is drained, the query fails at its end.
      this.#rowError = error as Error;
    }
  }
}

/** Runs a named statement on `client` and answers its rows. */
export function runPrepared(
  client: ParserSource & { query(query: PreparedQuery): unknown },
  statement: NamedStatement,
  values: readonly unknown[],
): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    client.query(
      new PreparedQuery(statement, values, client, (error, rows) => (error ? reject(error) : resolve(rows))),
    );
  });
}
