/** node-postgres's value mapper, which @types/pg does not declare (the package exports pg/lib/*). */
declare module 'pg/lib/utils' {
  /** A JS value as node-postgres sends it as a parameter: null, a Buffer or text. */
  export function prepareValue(value: unknown): unknown;
}
