/**
 * PostgreSQL array literals (`{"a","b",NULL}`) for parameters a statement casts to array types
 * (`$1::text[]`) and `unnest`s back into rows, as the grouped audit append does. node-postgres
 * builds the same text from a JS array, but through a generic path (two regular-expression
 * replaces and a fresh string per element) that was the largest single allocation of a grouped
 * append: 5.7 KB of the broker's 87 KB per link (docs/performance.md#eleventh-pass). Here every
 * element is quoted (so a string `NULL`, braces, commas and spaces stay data) and escaped only
 * when it holds a quote or a backslash.
 *
 * Element forms, as node-postgres sends them: null/undefined → NULL; a Buffer → bytea hex
 * (`\\x…`); a Date → its ISO-8601 UTC form (an exact instant, whatever the session's time zone);
 * a string as is; numbers, bigints and booleans by `String`; any other object as JSON.
 *
 * One literal per column of `rows`, which all have the same length.
 */
export function pgArrayColumns(rows: readonly (readonly unknown[])[]): string[] {
  const width = rows[0]?.length ?? 0;
  const columns: string[] = new Array<string>(width);
  for (let k = 0; k < width; k++) {
    let literal = '{';
    for (let i = 0; i < rows.length; i++) {
      if (i > 0) literal += ',';
      literal += element(rows[i][k]);
    }
    columns[k] = `${literal}}`;
  }
  return columns;
}

/** What needs a backslash inside a quoted element. */
const NEEDS_ESCAPE = /["\\]/;
const ESCAPED = /["\\]/g;

function element(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return quoted(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return `"${String(value)}"`;
  if (Buffer.isBuffer(value)) return `"\\\\x${value.toString('hex')}"`;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError('an invalid Date cannot be sent to PostgreSQL');
    return `"${value.toISOString()}"`;
  }
  if (Array.isArray(value)) throw new TypeError('nested arrays are not supported in an array parameter');
  return quoted(JSON.stringify(value));
}

function quoted(text: string): string {
  return NEEDS_ESCAPE.test(text) ? `"${text.replace(ESCAPED, '\\$&')}"` : `"${text}"`;
}
