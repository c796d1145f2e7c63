import { type FieldDef, Query } from 'pg';
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
}

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

  constructor(statement: NamedStatement, values: readonly unknown[], parsers: ParserSource, done: PreparedQueryDone) {
    super(statement.text);
    this.#parsers = parsers;
    const internals = this as unknown as QueryInternals;
    internals.name = statement.name;
    internals.values = values as unknown[];
    // node-postgres calls back once: with the statement's error, or with none at ReadyForQuery.
    internals.callback = (error) => done(error ?? this.#rowError, this.#rows);
  }

  handleRowDescription(message: { fields: FieldDef[] }): void {
    this.#shape = shapeFor((this as unknown as QueryInternals).name, message.fields, this.#parsers);
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
