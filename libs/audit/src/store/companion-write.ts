/**
 * A row another lib's store writes in the same statement as an audit event, so that the row
 * exists exactly when its event does (a login link and its `login_link.issued` event commit
 * together or not at all, in autocommit, with the chain head locked for one statement only).
 * The owning store describes the write as data (its table, typed columns); the audit store
 * composes the statement and numbers the parameters itself, so neither side edits the other's SQL.
 */
export type CompanionColumn = readonly [column: string, pgType: string, value: unknown];

export type CompanionWrite =
  | { kind: 'insert'; table: string; columns: readonly CompanionColumn[] }
  | { kind: 'update'; table: string; set: readonly CompanionColumn[]; where: readonly CompanionColumn[] };

/** Identifiers come from code, never from input; this only guards against a typo becoming SQL. */
const IDENTIFIER = /^[a-z_][a-z0-9_]*(\[\])?$/;

function identifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a plain SQL identifier: ${name}`);
  return name;
}

/**
 * The companion's statement for a data-modifying CTE that follows `appended`; its parameters are
 * numbered after `offset` in column order (`companionParams` gives them in the same order).
 */
export function companionSql(write: CompanionWrite, offset: number): string {
  let next = offset;
  return companionStatement(write, ([, type]) => `$${++next}::${identifier(type)}`, 'appended');
}

/**
 * The same statement for a batch (appendBatchSql): each column's value is the `input` row's
 * `c<position>` (its array parameter already cast, positions after `offset`), matched to its
 * appended event by ordinality.
 */
export function companionBatchSql(write: CompanionWrite, offset = 0): string {
  let position = offset;
  return companionStatement(write, () => `i.c${++position}`, 'appended a JOIN input i ON i.n = a.n');
}

function companionStatement(write: CompanionWrite, value: (column: CompanionColumn) => string, from: string): string {
  const table = identifier(write.table);
  if (write.kind === 'insert') {
    const names = write.columns.map(([column]) => identifier(column)).join(', ');
    return `INSERT INTO ${table} (${names}) SELECT ${write.columns.map(value).join(', ')} FROM ${from}`;
  }
  const set = write.set.map((column) => `${identifier(column[0])} = ${value(column)}`).join(', ');
  const where = write.where.map((column) => `${table}.${identifier(column[0])} = ${value(column)}`).join(' AND ');
  return `UPDATE ${table} SET ${set} FROM ${from} WHERE ${where}`;
}

/** The companion's columns in parameter order, with their types (checked, as the SQL names them). */
export function companionTypes(write: CompanionWrite): string[] {
  return companionColumns(write).map(([, type]) => identifier(type));
}

function companionColumns(write: CompanionWrite): readonly CompanionColumn[] {
  return write.kind === 'insert' ? write.columns : [...write.set, ...write.where];
}

/** What the companion's SQL text depends on (its kind, table, columns and their types): equal shapes, equal text. */
export function companionShape(write: CompanionWrite): string {
  // Every link's append asks for its companions' shape; the few shapes the code writes are kept
  // and found by comparing names and types, which builds no string (docs/performance.md#eleventh-pass).
  for (const known of knownShapes) if (sameShape(known.write, write)) return known.shape;
  const columns = (list: readonly CompanionColumn[]) => list.map(([column, type]) => `${column}:${type}`).join(',');
  const shape =
    write.kind === 'insert'
      ? `insert ${write.table} ${columns(write.columns)}`
      : `update ${write.table} ${columns(write.set)} where ${columns(write.where)}`;
  if (knownShapes.length < MAX_KNOWN_SHAPES) knownShapes.push({ write: withoutValues(write), shape });
  return shape;
}

/** Shapes come from code, not input: a handful. The bound only keeps a bug from growing it. */
const MAX_KNOWN_SHAPES = 64;
const knownShapes: Array<{ write: CompanionWrite; shape: string }> = [];

function withoutValues(write: CompanionWrite): CompanionWrite {
  const strip = (list: readonly CompanionColumn[]) =>
    list.map(([column, type]): CompanionColumn => [column, type, null]);
  return write.kind === 'insert'
    ? { kind: 'insert', table: write.table, columns: strip(write.columns) }
    : { kind: 'update', table: write.table, set: strip(write.set), where: strip(write.where) };
}

function sameShape(a: CompanionWrite, b: CompanionWrite): boolean {
  if (a.kind !== b.kind || a.table !== b.table) return false;
  if (a.kind === 'insert') return sameColumns(a.columns, (b as typeof a).columns);
  return sameColumns(a.set, (b as typeof a).set) && sameColumns(a.where, (b as typeof a).where);
}

function sameColumns(a: readonly CompanionColumn[], b: readonly CompanionColumn[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i][0] !== b[i][0] || a[i][1] !== b[i][1]) return false;
  return true;
}

export function companionParams(write: CompanionWrite): unknown[] {
  return pushCompanionParams([], write);
}

/**
 * Appends the companion's parameters to `params` and returns it: on every link's path, where
 * spreads and `flatMap` over the companions cost ~15 µs per link (docs/performance.md#eleventh-pass).
 */
export function pushCompanionParams(params: unknown[], write: CompanionWrite): unknown[] {
  const lists = write.kind === 'insert' ? [write.columns] : [write.set, write.where];
  for (const list of lists) for (const column of list) params.push(column[2]);
  return params;
}

/**
 * The data-modifying CTEs of an event's companions, `, companion1 AS (…), companion2 AS (…)`, each
 * numbered after the previous one's parameters; '' without companions. `batch`: the forms that
 * read the batch statement's `input` rows (companionBatchSql) instead of parameters.
 */
export function companionCtes(writes: readonly CompanionWrite[], offset: number, batch = false): string {
  let next = offset;
  return writes
    .map((write, i) => {
      const sql = batch ? companionBatchSql(write, next) : companionSql(write, next);
      next += companionColumns(write).length;
      return `, companion${i + 1} AS (${sql})`;
    })
    .join('');
}
