import { decodeCursor, encodeCursor, isCursorInstant, isUuid, PageQueryDto } from '@app/common';
import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

interface CreatedAtKey extends Record<string, string> {
  t: string;
  id: string;
}

function isCreatedAtKey(value: Record<string, unknown>): value is CreatedAtKey {
  return isCursorInstant(value.t) && isUuid(value.id);
}

/**
 * The cursor of a row in a list ordered by (created_at, id). Exact because created_at columns
 * are timestamptz(3): millisecond precision, the same as a JavaScript Date, so a timestamp read
 * back and sent again compares equal instead of skipping or repeating rows.
 */
export function createdAtCursorOf(row: { createdAt: Date; id: string }): string {
  return encodeCursor({ t: row.createdAt.toISOString(), id: row.id });
}

/** Orders by (created_at, id), starts after the page cursor and fetches limit + 1 rows for `toPage`. */
export function keysetByCreatedAt<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  page: PageQueryDto,
): SelectQueryBuilder<T> {
  const alias = qb.alias;
  if (page.cursor !== undefined) {
    const key = decodeCursor(page.cursor, isCreatedAtKey);
    qb.andWhere(`(${alias}.created_at, ${alias}.id) > (:cursorAt::timestamptz, :cursorId::uuid)`, {
      cursorAt: key.t,
      cursorId: key.id,
    });
  }
  return qb
    .orderBy(`${alias}.created_at`, 'ASC')
    .addOrderBy(`${alias}.id`, 'ASC')
    .take(page.limit + 1);
}
