import { DataSource } from 'typeorm';
import { migrations } from '../../../src/migrations/index.js';
import { loadDatabaseConfig } from '../../../src/shared/config/database.config.js';
import { createDataSourceOptions } from '../../../src/shared/database/data-source-options.js';
import { runPendingMigrations } from '../../../src/shared/database/migration-runner.js';
import { createTestDatabase, describePostgres } from '../../support/test-database.js';
import type { TestDatabase } from '../../support/test-database.js';

const quiet = { log: () => undefined };

describePostgres('runPendingMigrations on PostgreSQL', () => {
  let database: TestDatabase;
  const dataSources: DataSource[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    for (const ds of dataSources) if (ds.isInitialized) await ds.destroy();
    await database?.drop();
  });

  it('lets instances starting together migrate once, one after the other', async () => {
    const config = loadDatabaseConfig({ DATABASE_URL: database.url, DATABASE_POOL_SIZE: '2' });
    for (let i = 0; i < 3; i++) dataSources.push(new DataSource(createDataSourceOptions(config)));
    await Promise.all(dataSources.map((ds) => ds.initialize()));

    const ran = await Promise.all(dataSources.map((ds) => runPendingMigrations(ds, quiet)));

    expect(ran.map((r) => r.length).sort()).toEqual([0, 0, migrations.length]);
    const recorded: { name: string; n: number }[] = await dataSources[0].query(
      `SELECT name, count(*)::int AS n FROM migrations GROUP BY name ORDER BY name COLLATE "C"`,
    );
    const names = migrations.map((m) => m.name as string).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(recorded).toEqual(names.map((name) => ({ name, n: 1 })));
    // The lock is released: a later start takes it and finds nothing to do.
    expect(await runPendingMigrations(dataSources[1], quiet)).toEqual([]);
    const [{ locks }] = await dataSources[0].query(`SELECT count(*)::int AS locks FROM pg_locks
        WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`);
    expect(locks).toBe(0);
  });
});

describe('runPendingMigrations on PGlite', () => {
  let dataSource: DataSource;

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
  });

  it('migrates through the one session without waiting for itself', async () => {
    dataSource = await new DataSource(createDataSourceOptions(loadDatabaseConfig({ TDS_DATA_DIR: 'memory' }))).initialize();

    const [first, second] = await Promise.all([runPendingMigrations(dataSource, quiet), runPendingMigrations(dataSource, quiet)]);

    expect(first.map((m) => m.name)).toEqual(migrations.map((m) => m.name));
    expect(second).toEqual([]);
    const [{ n }] = await dataSource.query(`SELECT count(*) AS n FROM tds_sync_queue`);
    expect(n).toBe(0);
  });
});
