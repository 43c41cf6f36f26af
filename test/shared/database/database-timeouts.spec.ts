import { Client } from 'pg';
import { DataSource, QueryFailedError } from 'typeorm';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { loadDatabaseConfig } from '../../../src/shared/config/database.config.js';
import { createDataSourceOptions } from '../../../src/shared/database/data-source-options.js';
import { isConnectionFailure } from '../../../src/shared/database/database.module.js';
import { runPendingMigrations } from '../../../src/shared/database/migration-runner.js';
import { createTestApp } from '../../support/create-test-app.js';
import { eventually } from '../../support/spawn-app.js';
import { TcpProxy } from '../../support/tcp-proxy.js';
import { createTestDatabase, describePostgres } from '../../support/test-database.js';
import type { TestDatabase } from '../../support/test-database.js';

/** Runs longer than the statement timeout, and idles inside its transaction longer than that timeout. */
class SlowMigration1700000000001 implements MigrationInterface {
  name = 'SlowMigration1700000000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`SELECT pg_sleep(0.5)`);
    // A backfill computing between its statements: idle in the migration's transaction.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await runner.query(`CREATE TABLE slow_migration_done (id int)`);
  }

  async down(): Promise<void> {}
}

describePostgres('database timeouts on PostgreSQL', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let admin: Client;
  const opened: DataSource[] = [];

  function dataSource(env: Record<string, string>, extra: Partial<{ migrations: (new () => MigrationInterface)[] }> = {}): DataSource {
    const created = new DataSource({ ...createDataSourceOptions(loadDatabaseConfig({ DATABASE_URL: database.url, ...env })), ...extra });
    opened.push(created);
    return created;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    admin = new Client({ connectionString: database.url });
    await admin.connect();
  });
  beforeEach(async () => {
    proxy = await TcpProxy.start(database.url);
  });
  afterEach(async () => {
    for (const created of opened.splice(0)) if (created.isInitialized) await created.destroy().catch(() => undefined);
    await proxy.close();
  });
  afterAll(async () => {
    await admin?.end();
    await database?.drop();
  });

  it('a session idle inside a transaction past DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS is ended, and its locks freed', async () => {
    const db = await dataSource({ DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '200' }).initialize();
    await db.query(`CREATE TABLE idle_probe (id int)`);
    const runner = db.createQueryRunner();
    try {
      await runner.startTransaction();
      await runner.query(`LOCK TABLE idle_probe IN ACCESS EXCLUSIVE MODE`);
      const [{ pid }] = await runner.query(`SELECT pg_backend_pid() AS pid`);
      await eventually(async () => {
        const { rowCount } = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1`, [pid]);
        expect(rowCount).toBe(0);
      }, 5000, 50);
      await expect(admin.query(`SELECT count(*) FROM idle_probe`)).resolves.toBeDefined();
      await expect(runner.query(`SELECT 1`)).rejects.toThrow();
    } finally {
      await runner.release();
    }
  });

  it('migrations run without either timeout, and the connection gets its own back afterwards', async () => {
    const db = await dataSource(
      { DATABASE_POOL_SIZE: '1', DATABASE_STATEMENT_TIMEOUT_MS: '200', DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '200' },
      { migrations: [SlowMigration1700000000001] },
    ).initialize();
    const ran = await runPendingMigrations(db, { log: () => undefined });
    expect(ran.map((migration) => migration.name)).toEqual(['SlowMigration1700000000001']);
    const [row] = await db.query(
      `SELECT to_regclass('slow_migration_done') IS NOT NULL AS done, current_setting('statement_timeout') AS statement,
              current_setting('idle_in_transaction_session_timeout') AS idle`,
    );
    expect(row).toEqual({ done: true, statement: '200ms', idle: '200ms' });
  });

  it('a server that accepts the connection but never answers fails the connect after DATABASE_CONNECT_TIMEOUT_MS', async () => {
    proxy.freeze();
    const startedAt = Date.now();
    const failure = await dataSource({ DATABASE_URL: proxy.url(database.url), DATABASE_CONNECT_TIMEOUT_MS: '300' })
      .initialize()
      .catch((error: unknown) => error);
    expect(Date.now() - startedAt).toBeLessThan(3000);
    expect(failure).toMatchObject({ message: 'Connection terminated due to connection timeout' });
    expect(isConnectionFailure(failure)).toBe(true);
  });

  it('waiting for a free pooled connection is bounded by the same timeout', async () => {
    const db = await dataSource({ DATABASE_POOL_SIZE: '1', DATABASE_CONNECT_TIMEOUT_MS: '300' }).initialize();
    const holder = db.createQueryRunner();
    await holder.connect();
    try {
      await expect(db.query(`SELECT 1`)).rejects.toThrow('timeout exceeded when trying to connect');
    } finally {
      await holder.release();
    }
    await expect(db.query(`SELECT 1 AS ok`)).resolves.toEqual([{ ok: 1 }]);
  });

  it('a connection the server closes while it opens counts as a connection failure; a failing statement does not', async () => {
    proxy.dropNext(1);
    const failure = await dataSource({ DATABASE_URL: proxy.url(database.url) })
      .initialize()
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ message: 'Connection terminated unexpectedly' });
    expect(isConnectionFailure(failure)).toBe(true);

    const db = await dataSource({}).initialize();
    const migrationError = await db.query(`CREATE TABLE`).catch((error: unknown) => error);
    expect(migrationError).toBeInstanceOf(QueryFailedError);
    expect(isConnectionFailure(migrationError)).toBe(false);
    expect(isConnectionFailure(new Error('relation "tds_sync_queue" does not exist'))).toBe(false);
  });

  it('the app retries a start-up connection the server closed, as it does a refused one', async () => {
    proxy.dropNext(1);
    const testApp = await createTestApp({ DATABASE_URL: proxy.url(database.url), TDS_WORKERS_ENABLED: 'false', TDS_OUTBOX_RELAY_ENABLED: 'false' });
    try {
      expect((await testApp.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    } finally {
      await testApp.close();
    }
  }, 30_000);
});
