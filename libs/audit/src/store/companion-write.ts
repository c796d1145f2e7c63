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

/**
 * A companion column whose value is one of its event's own values, taken from the event's
 * parameter in SQL instead of a parameter of its own: a row that repeats its event's link id,
 * tenant or connection cannot disagree with it, and the statement carries each value once
 * (docs/architecture.md#companion-writes).
 */
export class EventColumn {
  private static readonly known = new Map<EventField, EventColumn>();

  private constructor(
    readonly field: EventField,
    /** The event's parameter: its position in appendEventSql ($1 id, $2 tenant id, …) and its type. */
    readonly position: number,
    readonly type: string,
  ) {}

  /** One instance per field, so that shapes compare them by identity. */
  static of(field: EventField): EventColumn {
    let column = EventColumn.known.get(field);
    if (column === undefined) {
      const [position, type] = EVENT_PARAMETERS[field];
      EventColumn.known.set(field, (column = new EventColumn(field, position, type)));
    }
    return column;
  }
}

/**
 * The event values a companion may take, where appendEventSql has them (its $1..$19, in the order
 * AuditService passes them) and as what type.
 */
const EVENT_PARAMETERS = {
  id: [1, 'uuid'],
  tenant_id: [2, 'uuid'],
  connection_id: [11, 'text'],
  provider: [12, 'text'],
  link_id: [16, 'text'],
  token_fingerprint: [17, 'text'],
} as const satisfies Record<string, readonly [number, string]>;

export type EventField = keyof typeof EVENT_PARAMETERS;

/** `EventColumn.of`, for the value slot of a CompanionColumn: `['id', 'uuid', fromEvent('link_id')]`. */
export const fromEvent = (field: EventField): EventColumn => EventColumn.of(field);

/** Identifiers come from code, never from input; this only guards against a typo becoming SQL. */
const IDENTIFIER = /^[a-z_][a-z0-9_]*(\[\])?$/;

function identifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a plain SQL identifier: ${name}`);
  return name;
}

/**
 * The companion's statement for a data-modifying CTE that follows `appended`; its parameters are
 * numbered after `offset` in column order (`companionParams` gives them in the same order), and
 * an EventColumn reads the event's parameter (cast first to the type the event gives it, so that
 * PostgreSQL deduces one type per parameter).
 */
export function companionSql(write: CompanionWrite, offset: number): string {
  let next = offset;
  return companionStatement(
    write,
    ([, type, value]) =>
      value instanceof EventColumn ? eventParameter(value, type) : `$${++next}::${identifier(type)}`,
    'appended',
  );
}

function eventParameter(column: EventColumn, type: string): string {
  const parameter = `$${column.position}::${column.type}`;
  return column.type === type ? parameter : `${parameter}::${identifier(type)}`;
}

/**
 * The same statement for a batch (appendBatchSql): each parameter column's value is the `input`
 * row's `c<position>` (its array parameter already cast, positions after `offset`), matched to its
 * appended event by ordinality; an EventColumn reads the same row's event value `e<position>`.
 */
export function companionBatchSql(write: CompanionWrite, offset = 0): string {
  let position = offset;
  return companionStatement(
    write,
    ([, type, value]) =>
      value instanceof EventColumn ? `i.e${value.position}::${identifier(type)}` : `i.c${++position}`,
    'appended a JOIN input i ON i.n = a.n',
  );
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

/** The types of the companion's parameters, in parameter order (checked, as the SQL names them). */
export function companionTypes(write: CompanionWrite): string[] {
  return parameterColumns(write).map(([, type]) => identifier(type));
}

/** The columns that take a parameter (not an EventColumn), in parameter order: SET before WHERE. */
function parameterColumns(write: CompanionWrite): CompanionColumn[] {
  const columns = write.kind === 'insert' ? write.columns : [...write.set, ...write.where];
  return columns.filter(([, , value]) => !(value instanceof EventColumn));
}

/** What the companion's SQL text depends on (its kind, table, columns and their types): equal shapes, equal text. */
export function companionShape(write: CompanionWrite): string {
  // Every link's append asks for its companions' shape; the few shapes the code writes are kept
  // and found by comparing names and types, which builds no string (docs/performance.md#eleventh-pass).
  for (const known of knownShapes) if (sameShape(known.write, write)) return known.shape;
  const columns = (list: readonly CompanionColumn[]) =>
    list
      .map(([column, type, value]) => `${column}:${type}${value instanceof EventColumn ? `=event.${value.field}` : ''}`)
      .join(',');
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

/** The write with its parameter values dropped (kept for its shape only); event columns stay. */
function withoutValues(write: CompanionWrite): CompanionWrite {
  const strip = (list: readonly CompanionColumn[]) =>
    list.map(([column, type, value]): CompanionColumn => [column, type, value instanceof EventColumn ? value : null]);
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
  for (let i = 0; i < a.length; i++) {
    const [column, type, value] = a[i];
    if (column !== b[i][0] || type !== b[i][1]) return false;
    // The same event column (one instance per column), or a parameter on both sides.
    const other = b[i][2];
    if ((value instanceof EventColumn || other instanceof EventColumn) && value !== other) return false;
  }
  return true;
}

export function companionParams(write: CompanionWrite): unknown[] {
  return pushCompanionParams([], write);
}

/**
 * Appends the companion's parameters to `params` and returns it: on every link's path, where
 * spreads and `flatMap` over the companions were the append's hottest line in a profile
 * (docs/performance.md#eleventh-pass).
 */
export function pushCompanionParams(params: unknown[], write: CompanionWrite): unknown[] {
  const lists = write.kind === 'insert' ? [write.columns] : [write.set, write.where];
  for (const list of lists) for (const [, , value] of list) if (!(value instanceof EventColumn)) params.push(value);
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
      next += parameterColumns(write).length;
      return `, companion${i + 1} AS (${sql})`;
    })
    .join('');
}
