import { MigrationInterface, QueryRunner } from 'typeorm';

const SIGNATURE =
  'uuid, uuid, text, text, text, text, text, text, text, text, text, text, text, text, text, text, text, text, text';

/**
 * `audit_append(...)` returns exactly one row per call; it was declared with the default estimate
 * of a function returning a table, 1,000 rows. Every append statement, single or grouped, was
 * planned for a thousand rows per event, and cost PostgreSQL 20-30% more CPU than with the true
 * estimate (`bench:sql`: a single append 190 -> 145 µs, a grouped append of 4 links 600 -> 425;
 * docs/performance.md#thirteenth-pass). A variant of the grouped append whose rows were also
 * estimated at 1,000 was expected to return a million and JIT-compiled on every execution (~300
 * ms). Only the planner's estimate changes; what the function does does not.
 */
export class AuditAppendRowEstimate1764900000000 implements MigrationInterface {
  name = 'AuditAppendRowEstimate1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION ${await currentSchema(q)}.audit_append(${SIGNATURE}) ROWS 1`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION ${await currentSchema(q)}.audit_append(${SIGNATURE}) ROWS 1000`);
  }
}

async function currentSchema(q: QueryRunner): Promise<string> {
  const [{ schema }] = (await q.query(`SELECT quote_ident(current_schema()) AS schema`)) as Array<{ schema: string }>;
  return schema;
}
