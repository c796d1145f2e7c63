import { Client } from 'pg';
import { pgArrayColumns } from '@app/database';
import { createTestDatabase, TestDatabase } from './utils/test-database';

/**
 * pgArrayColumns replaces node-postgres's array serialisation for the grouped audit append
 * (libs/database/src/pg-array.ts): whatever a row holds, PostgreSQL must unnest exactly the values
 * node-postgres would have sent one by one.
 */
describe('pgArrayColumns against PostgreSQL', () => {
  let db: TestDatabase;
  let client: Client;

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    client = new Client({ connectionString: db.ownerUrl });
    await client.connect();
  });

  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  const TRICKY_TEXT = [
    'plain',
    'NULL',
    'null',
    '',
    ' leading and trailing ',
    'comma, {braces} and "quotes"',
    'back\\slash \\" and \\\\ twice',
    'ünïcödé ✓ 𝄞',
    'line\nbreak\ttab',
    '{"a":1}',
    null,
  ];

  it('unnests text exactly, telling NULL from the string "NULL"', async () => {
    const [column] = pgArrayColumns(TRICKY_TEXT.map((text) => [text]));
    const { rows } = await client.query<{ v: string | null; is_null: boolean }>(
      'SELECT v, v IS NULL AS is_null FROM unnest($1::text[]) WITH ORDINALITY AS u(v, n) ORDER BY n',
      [column],
    );
    expect(rows.map((row) => row.v)).toEqual(TRICKY_TEXT);
    expect(rows.map((row) => row.is_null)).toEqual(TRICKY_TEXT.map((text) => text === null));
  });

  it('gives every column type of an append the value node-postgres sends for a single parameter', async () => {
    const at = new Date('2026-12-07T01:02:03.456Z');
    const rows: unknown[][] = [
      [
        '0b7e9f3e-6f57-4a8e-9f0c-3f6f7c2a1d5e',
        7,
        Buffer.from([0, 1, 0x5c, 0x22, 254, 255]),
        at,
        '{"a":"\\"x\\""}',
        true,
      ],
      [null, null, null, null, null, null],
      ['0B7E9F3E-6F57-4A8E-9F0C-3F6F7C2A1D5F', -3, Buffer.alloc(0), new Date(0), { nested: ['b', null] }, false],
    ];
    const columns = pgArrayColumns(rows);
    const viaArrays = await client.query(
      `SELECT id, n, blob, at, doc, flag FROM unnest($1::uuid[], $2::int[], $3::bytea[], $4::timestamptz[], $5::jsonb[], $6::bool[])
         WITH ORDINALITY AS u(id, n, blob, at, doc, flag, o) ORDER BY o`,
      columns,
    );
    const oneByOne = [];
    for (const row of rows) {
      const { rows: single } = await client.query(
        'SELECT $1::uuid AS id, $2::int AS n, $3::bytea AS blob, $4::timestamptz AS at, $5::jsonb AS doc, $6::bool AS flag',
        row,
      );
      oneByOne.push(single[0]);
    }
    expect(viaArrays.rows).toEqual(oneByOne);
    expect(viaArrays.rows[0].blob).toEqual(Buffer.from([0, 1, 0x5c, 0x22, 254, 255]));
    expect(viaArrays.rows[0].at).toEqual(at);
  });

  it('keeps the instant of a Date whatever the session time zone', async () => {
    const at = new Date('2026-06-30T23:59:59.999Z');
    await client.query(`SET TIME ZONE 'Pacific/Kiritimati'`);
    try {
      const { rows } = await client.query<{ at: Date }>(
        'SELECT unnest($1::timestamptz[]) AS at',
        pgArrayColumns([[at]]),
      );
      expect(rows[0].at.toISOString()).toBe(at.toISOString());
    } finally {
      await client.query('RESET TIME ZONE');
    }
  });
});
