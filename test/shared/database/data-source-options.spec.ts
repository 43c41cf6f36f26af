import { resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { loadDatabaseConfig } from '../../../src/shared/config/database.config.js';
import { createDataSourceOptions } from '../../../src/shared/database/data-source-options.js';
import { createTestDatabase, describePostgres } from '../../support/test-database.js';

describe('loadDatabaseConfig', () => {
  it('defaults to the embedded database under ./data/pglite, migrating at start-up', () => {
    expect(loadDatabaseConfig({})).toEqual({
      kind: 'pglite',
      url: undefined,
      poolSize: 10,
      pgliteDataDir: resolve('data/pglite'),
      migrationsRun: true,
      statementTimeoutMs: undefined,
      applicationName: expect.stringMatching(/^tds\//),
    });
  });

  it('reads PostgreSQL settings; an empty DATABASE_URL counts as unset', () => {
    const env = {
      DATABASE_URL: 'postgresql://u:p@db:5432/tds',
      DATABASE_POOL_SIZE: '4',
      TDS_MIGRATIONS_RUN: 'no',
      DATABASE_STATEMENT_TIMEOUT_MS: '1500',
    };
    expect(loadDatabaseConfig(env)).toMatchObject({
      kind: 'postgres',
      url: env.DATABASE_URL,
      poolSize: 4,
      migrationsRun: false,
      statementTimeoutMs: 1500,
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
  });
});

describePostgres('createDataSourceOptions on PostgreSQL', () => {
  it('applies the pool size, application name and statement timeout', async () => {
    const database = await createTestDatabase();
    const dataSource = new DataSource(
      createDataSourceOptions(
        loadDatabaseConfig({
          DATABASE_URL: database.url,
          DATABASE_POOL_SIZE: '3',
          DATABASE_STATEMENT_TIMEOUT_MS: '250',
          TDS_INSTANCE_ID: 'node-7',
        }),
      ),
    );
    try {
      await dataSource.initialize();
      const [row] = await dataSource.query(
        `SELECT current_setting('statement_timeout') AS timeout, current_setting('application_name') AS app`,
      );
      expect(row).toEqual({ timeout: '250ms', app: 'tds/node-7' });
      await expect(dataSource.query(`SELECT pg_sleep(2)`)).rejects.toMatchObject({ code: '57014' });
      expect((dataSource.driver as unknown as { master: { options: { max: number } } }).master.options.max).toBe(3);
    } finally {
      if (dataSource.isInitialized) await dataSource.destroy();
      await database.drop();
    }
  });
});
