/** Every list answer of the public API (docs/api.md#lists-and-pagination). */
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/**
 * Builds a page from `limit + 1` fetched rows: the extra row only tells whether another page
 * exists, and the cursor is made from the last row actually returned.
 */
export function toPage<Row, Out>(
  rows: Row[],
  limit: number,
  map: (row: Row) => Out,
  cursorOf: (row: Row) => string,
): Page<Out> {
  const hasMore = rows.length > limit;
  const visible = hasMore ? rows.slice(0, limit) : rows;
  return { data: visible.map(map), next_cursor: hasMore ? cursorOf(visible[visible.length - 1]) : null };
}
