import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '@app/database';
import { MIGRATIONS } from '../migrations';
import { createTestDatabase, TestDatabase } from './utils/test-database';

const userTables = (db: TestDatabase) =>
  db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations' ORDER BY 1`,
  );

describe('migrations', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    dataSource = await new DataSource(buildDataSourceOptions({ url: db.ownerUrl, poolSize: 1 })).initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  it('run on an empty database, revert one by one to nothing, and run again', async () => {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    expect(applied.map((m) => m.name)).toEqual(MIGRATIONS.map((M) => new M().name ?? M.name));
    const tablesAfterUp = await userTables(db);
    expect(tablesAfterUp.length).toBeGreaterThan(0);

    for (let i = 0; i < MIGRATIONS.length; i += 1) await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await userTables(db)).toEqual([]);
    expect(await dataSource.showMigrations()).toBe(true);

    await dataSource.runMigrations({ transaction: 'each' });
    expect(await userTables(db)).toEqual(tablesAfterUp);
    expect(await dataSource.showMigrations()).toBe(false);
  });

  it('declare that audit_append returns one row, so the planner costs the appends for one', async () => {
    // With the default 1,000 of a table function, every append statement cost PostgreSQL 20-30% more
    // CPU (docs/performance.md#thirteenth-pass).
    await dataSource.runMigrations({ transaction: 'each' });
    const rows = await db.query<{ prorows: number }>(`SELECT prorows FROM pg_proc WHERE proname = 'audit_append'`);
    expect(rows).toEqual([{ prorows: 1 }]);
  });
});
