import { BrokerException } from '../errors';

/**
 * Keyset cursors are opaque base64url JSON. They carry only ordering keys (a timestamp and
 * an id, or a sequence number), never a tenant id: tenant scoping always comes from the caller's
 * key and filters, so a hand-made cursor can move within the caller's own rows only.
 */
export function encodeCursor(values: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

export function decodeCursor<T extends Record<string, string | number>>(
  cursor: string,
  isValid: (value: Record<string, unknown>) => value is T,
): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    Array.isArray(parsed) ||
    !isValid(parsed as Record<string, unknown>)
  ) {
    throw invalidCursor();
  }
  return parsed as T;
}

/**
 * A cursor's timestamp as the API issues it: `Date#toISOString()` output, exactly. Date.parse
 * alone is too lenient ("1", "foo 2020" and strings with a trailing NUL parse), and such a value
 * would then fail inside PostgreSQL with a 500 instead of a 400 invalid_cursor.
 */
export function isCursorInstant(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const time = Date.parse(value);
  return !Number.isNaN(time) && new Date(time).toISOString() === value;
}

function invalidCursor(): BrokerException {
  return new BrokerException(400, 'invalid_cursor', 'The cursor is not one this API issued.', {
    errors: [{ field: 'cursor', message: 'cursor is malformed' }],
  });
}
