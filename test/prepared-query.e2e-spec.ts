import { Client, types } from 'pg';
import { namedStatement, runPrepared } from '@app/database';
import { createTestDatabase, TestDatabase } from './utils/test-database';

/**
 * PreparedQuery builds a named statement's rows itself, from a row shape kept per statement
 * (docs/performance.md#prepared-query). Whatever PostgreSQL answers, its rows and errors must be
 * node-postgres's own, and a connection must stay usable after either.
 */
/** PostgreSQL's int4 type. */
const INT4_OID = 23;

describe('PreparedQuery against PostgreSQL', () => {
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

  const run = (name: string, text: string, values: unknown[] = [], on: Client = client) =>
    runPrepared(on, namedStatement(name, text), values);
  /** Runs `work` on a client of its own whose int4 columns go through `parse`. */
  async function withInt4Parser(parse: (value: string) => number, work: (on: Client) => Promise<void>): Promise<void> {
    const getTypeParser = (oid: number, format?: 'text' | 'binary') =>
      oid === INT4_OID ? parse : types.getTypeParser(oid, format);
    const own = new Client({
      connectionString: db.ownerUrl,
      types: { getTypeParser: getTypeParser as typeof types.getTypeParser },
    });
    await own.connect();
    try {
      await work(own);
    } finally {
      await own.end();
    }
  }
  const stock = async (text: string, values: unknown[] = []) => (await client.query(text, values)).rows;

  const EVERY_TYPE = `SELECT $1::uuid AS id, $2::text AS name, 42::int4 AS small, 9007199254740993::int8 AS big,
      1.50::numeric AS amount, true AS flag, $3::jsonb AS doc, '{"b":[1,2]}'::json AS raw_json,
      $4::bytea AS blob, '2026-12-05T10:11:12.345Z'::timestamptz AS at, '2026-12-05'::date AS day,
      ARRAY['a','b,c',NULL]::text[] AS labels, ARRAY[1,2]::int[] AS numbers, NULL::text AS nothing,
      'first' AS same, 'second' AS same, $5::int AS param_null`;
  const values = [
    '0b7e9f3e-6f57-4a8e-9f0c-3f6f7c2a1d5e',
    'ünï "quoted" \\ text',
    { a: [1, { b: null }] },
    Buffer.from([0, 1, 254, 255]),
    null,
  ];

  it('builds the rows node-postgres builds, for every column type the broker reads, repeated names and NULLs', async () => {
    const expected = await stock(EVERY_TYPE, values);
    // The first execution parses the statement; the later ones reuse the memoised shape.
    for (let i = 0; i < 3; i++) {
      const rows = await run('every_type', EVERY_TYPE, values);
      expect(rows).toEqual(expected);
      expect(rows[0]).toMatchObject({ same: 'second', nothing: null, param_null: null, big: '9007199254740993' });
      expect(Buffer.isBuffer(rows[0].blob)).toBe(true);
      expect(rows[0].at).toEqual(new Date('2026-12-05T10:11:12.345Z'));
    }
  });

  it('keeps the last of repeated column names, a NULL included, as node-postgres does', async () => {
    const text = `SELECT 'first' AS same, NULL::text AS same, 'x' AS other, NULL::int AS other`;
    const expected = await stock(text);
    expect(expected).toEqual([{ same: null, other: null }]);
    expect(await run('pq_repeated', text)).toEqual(expected);
    expect(await run('pq_repeated', text)).toEqual(expected);
  });

  it("parses with the executing client's type parsers, not those of the client that ran the statement first", async () => {
    const text = 'SELECT $1::int4 AS n';
    expect(await run('pq_shared', text, [5])).toEqual([{ n: 5 }]);
    await withInt4Parser(
      (value) => Number(value) * 10,
      async (tenfold) => expect(await run('pq_shared', text, [5], tenfold)).toEqual([{ n: 50 }]),
    );
    expect(await run('pq_shared', text, [5])).toEqual([{ n: 5 }]);
  });

  it('answers every row in order, and none for a statement that returns no rows', async () => {
    await client.query('CREATE TABLE IF NOT EXISTS pq_items (n int PRIMARY KEY, label text)');
    expect(
      await run('pq_insert', 'INSERT INTO pq_items (n, label) SELECT g, $1 || g FROM generate_series(1, 50) g', [
        'item-',
      ]),
    ).toEqual([]);
    const rows = await run('pq_select', 'SELECT n, label FROM pq_items WHERE n > $1 ORDER BY n', [10]);
    expect(rows).toEqual(await stock('SELECT n, label FROM pq_items WHERE n > $1 ORDER BY n', [10]));
    expect(rows).toHaveLength(40);
    expect(await run('pq_select', 'SELECT n, label FROM pq_items WHERE n > $1 ORDER BY n', [1000])).toEqual([]);
  });

  it("fails with PostgreSQL's error and leaves the connection usable", async () => {
    const failing = run('pq_fail', 'SELECT 1 / $1::int AS x', [0]);
    await expect(failing).rejects.toMatchObject({ code: '22012' });
    expect(await run('pq_fail', 'SELECT 1 / $1::int AS x', [1])).toEqual([{ x: 1 }]);
  });

  it("fails with a type parser's error, after draining the answer, and leaves the connection usable", async () => {
    const unlucky = (value: string) => {
      if (value === '13') throw new Error('unlucky value');
      return Number(value);
    };
    await withInt4Parser(unlucky, async (picky) => {
      await expect(run('pq_parse', 'SELECT g AS n FROM generate_series(10, $1::int) g', [20], picky)).rejects.toThrow(
        'unlucky value',
      );
      expect(await run('pq_parse', 'SELECT g AS n FROM generate_series(10, $1::int) g', [12], picky)).toEqual([
        { n: 10 },
        { n: 11 },
        { n: 12 },
      ]);
    });
  });

  it('follows a column whose type changed under the same statement (a migration), not the shape it kept', async () => {
    await client.query('CREATE TABLE pq_migrated (v int)');
    await client.query('INSERT INTO pq_migrated VALUES (7)');
    expect(await run('pq_migrated', 'SELECT v FROM pq_migrated')).toEqual([{ v: 7 }]);
    await client.query('ALTER TABLE pq_migrated ALTER COLUMN v TYPE text');
    // A new connection prepares the statement afresh and describes v as text now.
    const fresh = new Client({ connectionString: db.ownerUrl });
    await fresh.connect();
    try {
      expect(await run('pq_migrated', 'SELECT v FROM pq_migrated', [], fresh)).toEqual([{ v: '7' }]);
    } finally {
      await fresh.end();
    }
  });

  /** Counts the Describe messages `on` sends while `work` runs. */
  async function describesDuring(on: Client, work: () => Promise<void>): Promise<number> {
    const connection = (on as unknown as { connection: { describe(...args: unknown[]): void } }).connection;
    const describe = jest.spyOn(connection, 'describe');
    try {
      await work();
      return describe.mock.calls.length;
    } finally {
      describe.mockRestore();
    }
  }

  it('describes a statement once per connection; later executions there skip Describe and build the same rows', async () => {
    // A text of its own: named statements are memoised by text, and EVERY_TYPE ran above already.
    const text = `${EVERY_TYPE} -- once`;
    const expected = await stock(text, values);
    const first = await describesDuring(client, async () => {
      expect(await run('pq_once', text, values)).toEqual(expected);
    });
    expect(first).toBe(1);
    const otherValues = [values[0], null, null, null, 9];
    const otherExpected = await stock(text, otherValues);
    const later = await describesDuring(client, async () => {
      for (let i = 0; i < 5; i++) expect(await run('pq_once', text, values)).toEqual(expected);
      expect(await run('pq_once', text, otherValues)).toEqual(otherExpected);
    });
    expect(later).toBe(0);
    // Another connection has not prepared it: it describes on its own first use.
    const other = new Client({ connectionString: db.ownerUrl });
    await other.connect();
    try {
      expect(await describesDuring(other, async () => void (await run('pq_once', text, values, other)))).toBe(1);
    } finally {
      await other.end();
    }
  });

  it('fails, rather than answer rows of the old shape, when a column changed type under a described statement', async () => {
    await client.query('CREATE TABLE pq_altered (v int)');
    await client.query('INSERT INTO pq_altered VALUES (7)');
    expect(await run('pq_altered', 'SELECT v FROM pq_altered')).toEqual([{ v: 7 }]);
    await client.query('ALTER TABLE pq_altered ALTER COLUMN v TYPE text');
    await expect(run('pq_altered', 'SELECT v FROM pq_altered')).rejects.toMatchObject({ code: '0A000' });
    expect(await stock('SELECT 1 AS still_usable')).toEqual([{ still_usable: 1 }]);
  });

  it('fails a value it cannot send, and the statement and the connection stay usable', async () => {
    const text = 'SELECT $1::jsonb AS doc';
    expect(await run('pq_unsendable', text, [{ a: 1 }])).toEqual([{ doc: { a: 1 } }]);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(run('pq_unsendable', text, [circular])).rejects.toThrow(/circular/i);
    expect(await run('pq_unsendable', text, [{ b: 2 }])).toEqual([{ doc: { b: 2 } }]);
  });

  it('rejects on a connection that has ended instead of hanging', async () => {
    const ended = new Client({ connectionString: db.ownerUrl });
    await ended.connect();
    await ended.end();
    await expect(run('pq_ended', 'SELECT 1 AS one', [], ended)).rejects.toThrow();
  });
});
