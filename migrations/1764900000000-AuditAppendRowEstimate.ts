import { MigrationInterface, QueryRunner } from 'typeorm';

const SIGNATURE =
  'uuid, uuid, text, text, text, text, text, text, text, text, text, text, text, text, text, text, text, text, text';

/**
 * `audit_append(...)` returns exactly one row per call; it was declared with the default estimate
 * of a function returning a table, 1,000 rows. The grouped append calls it once per row of its
 * batch, and with the batch read from one array (generate_subscripts, itself estimated at 1,000
 * rows) the planner expected a million rows, costed the statement past `jit_above_cost` and
 * compiled it with LLVM on every execution: ~300 ms per statement
 * (docs/performance.md#thirteenth-pass). Only the planner's estimate changes; what the function
 * does does not.
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
