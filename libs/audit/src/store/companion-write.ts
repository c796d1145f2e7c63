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
  const placeholder = ([, type]: CompanionColumn) => `$${++next}::${identifier(type)}`;
  const table = identifier(write.table);
  if (write.kind === 'insert') {
    const names = write.columns.map(([column]) => identifier(column)).join(', ');
    const values = write.columns.map(placeholder).join(', ');
    return `INSERT INTO ${table} (${names}) SELECT ${values} FROM appended`;
  }
  const set = write.set.map((column) => `${identifier(column[0])} = ${placeholder(column)}`).join(', ');
  const where = write.where.map((column) => `${table}.${identifier(column[0])} = ${placeholder(column)}`).join(' AND ');
  return `UPDATE ${table} SET ${set} FROM appended WHERE ${where}`;
}

/** What the companion's SQL text depends on (its kind, table, columns and their types): equal shapes, equal text. */
export function companionShape(write: CompanionWrite): string {
  const columns = (list: readonly CompanionColumn[]) => list.map(([column, type]) => `${column}:${type}`).join(',');
  return write.kind === 'insert'
    ? `insert ${write.table} ${columns(write.columns)}`
    : `update ${write.table} ${columns(write.set)} where ${columns(write.where)}`;
}

export function companionParams(write: CompanionWrite): unknown[] {
  const columns = write.kind === 'insert' ? write.columns : [...write.set, ...write.where];
  return columns.map(([, , value]) => value);
}
