import { resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { loadDatabaseConfig } from '../../../src/shared/config/database.config.js';
import { createDataSourceOptions } from '../../../src/shared/database/data-source-options.js';
import { createTestDatabase, describePostgres } from '../../support/test-database.js';
import type { TestDatabase } from '../../support/test-database.js';

describe('loadDatabaseConfig', () => {
  it('defaults to the embedded database under ./data/pglite, migrating at start-up', () => {
    expect(loadDatabaseConfig({})).toEqual({
      kind: 'pglite',
      url: undefined,
      poolSize: 10,
      pgliteDataDir: resolve('data/pglite'),
      migrationsRun: true,
      statementTimeoutMs: 30_000,
      idleInTransactionTimeoutMs: 60_000,
      connectTimeoutMs: 10_000,
      applicationName: expect.stringMatching(/^tds\//),
    });
  });

  it('reads PostgreSQL settings; an empty DATABASE_URL counts as unset', () => {
    const env = {
      DATABASE_URL: 'postgresql://u:p@db:5432/tds',
      DATABASE_POOL_SIZE: '4',
      TDS_MIGRATIONS_RUN: 'no',
      DATABASE_STATEMENT_TIMEOUT_MS: '1500',
      DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '0',
      DATABASE_CONNECT_TIMEOUT_MS: '2500',
    };
    expect(loadDatabaseConfig(env)).toMatchObject({
      kind: 'postgres',
      url: env.DATABASE_URL,
      poolSize: 4,
      migrationsRun: false,
      statementTimeoutMs: 1500,
      idleInTransactionTimeoutMs: 0,
      connectTimeoutMs: 2500,
    });
    expect(loadDatabaseConfig({ DATABASE_URL: '', TDS_DATA_DIR: 'memory' })).toMatchObject({
      kind: 'pglite',
      pgliteDataDir: null,
    });
  });

  it('names the variable at fault and not its value', () => {
    expect(() => loadDatabaseConfig({ DATABASE_URL: 'mysql://secret@db/x' })).toThrow(/DATABASE_URL: must be a postgres:\/\/ URL/);
    expect(() => loadDatabaseConfig({ DATABASE_URL: 'mysql://secret@db/x' })).not.toThrow(/secret/);
    expect(() => loadDatabaseConfig({ TDS_MIGRATIONS_RUN: 'maybe' })).toThrow(/TDS_MIGRATIONS_RUN/);
    expect(() => loadDatabaseConfig({ DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE/);
    expect(() => loadDatabaseConfig({ DATABASE_STATEMENT_TIMEOUT_MS: '-1' })).toThrow(/DATABASE_STATEMENT_TIMEOUT_MS/);
    expect(() => loadDatabaseConfig({ DATABASE_CONNECT_TIMEOUT_MS: '0' })).toThrow(/DATABASE_CONNECT_TIMEOUT_MS/);
  });
});

describePostgres('createDataSourceOptions on PostgreSQL', () => {
  let database: TestDatabase;
  const opened: DataSource[] = [];

  async function open(env: Record<string, string>): Promise<DataSource> {
    const dataSource = new DataSource(createDataSourceOptions(loadDatabaseConfig({ DATABASE_URL: database.url, ...env })));
    opened.push(dataSource);
    return dataSource.initialize();
  }

  const poolOptions = (dataSource: DataSource) =>
    (dataSource.driver as unknown as { master: { options: { max: number; connectionTimeoutMillis: number } } }).master.options;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    for (const dataSource of opened) if (dataSource.isInitialized) await dataSource.destroy();
    await database?.drop();
  });

  it('gives every connection a statement and an idle-in-transaction timeout, and the pool a connect timeout, by default', async () => {
    const dataSource = await open({});
    const [row] = await dataSource.query(
      `SELECT current_setting('statement_timeout') AS statement, current_setting('idle_in_transaction_session_timeout') AS idle`,
    );
    expect(row).toEqual({ statement: '30s', idle: '1min' });
    expect(poolOptions(dataSource).connectionTimeoutMillis).toBe(10_000);
  });

  it('applies the pool size, application name and timeouts; a statement over its timeout is cancelled (57014)', async () => {
    const dataSource = await open({
      DATABASE_POOL_SIZE: '3',
      DATABASE_STATEMENT_TIMEOUT_MS: '250',
      DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '0',
      DATABASE_CONNECT_TIMEOUT_MS: '1500',
      TDS_INSTANCE_ID: 'node-7',
    });
    const [row] = await dataSource.query(
      `SELECT current_setting('statement_timeout') AS timeout, current_setting('idle_in_transaction_session_timeout') AS idle,
              current_setting('application_name') AS app`,
    );
    // 0: TDS sets none, so the server's default (none here) applies.
    expect(row).toEqual({ timeout: '250ms', idle: '0', app: 'tds/node-7' });
    await expect(dataSource.query(`SELECT pg_sleep(2)`)).rejects.toMatchObject({ code: '57014' });
    expect(poolOptions(dataSource)).toMatchObject({ max: 3, connectionTimeoutMillis: 1500 });
  });
});
