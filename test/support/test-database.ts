import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { loadDatabaseConfig } from '../../src/shared/config/database.config.js';
import type { DatabaseKind } from '../../src/shared/config/database.config.js';
import { createDataSourceOptions } from '../../src/shared/database/data-source-options.js';
import { runPendingMigrations } from '../../src/shared/database/migration-runner.js';
import { POSTGRES_STATUS_VAR, REDIS_STATUS_VAR, TEST_DATABASE_URL } from './global-setup.js';

/*
 * Test databases. PostgreSQL suites get a fresh database each (createTestDatabase); PGlite
 * suites an in-memory one (TDS_DATA_DIR=memory). Whether the servers are reachable was found
 * out once by global-setup.ts; suites needing a missing one are skipped (failed on CI).
 */

/** As reported by the global setup; assumed up when it did not run, so failures stay visible. */
export const postgresAvailable = (): boolean => process.env[POSTGRES_STATUS_VAR] !== 'down';
export const redisAvailable = (): boolean => process.env[REDIS_STATUS_VAR] !== 'down';

/** `describe` for suites that need the PostgreSQL server at TEST_DATABASE_URL. */
export function describePostgres(name: string, fn: () => void): void {
  (postgresAvailable() ? describe : describe.skip)(name, fn);
}

/** `describe` for suites that need the Redis server at TEST_REDIS_URL. */
export function describeRedis(name: string, fn: () => void): void {
  (redisAvailable() ? describe : describe.skip)(name, fn);
}

export interface TestDatabase {
  name: string;
  url: string;
  /** Terminates its connections and drops it; safe to call twice. */
  drop(): Promise<void>;
}

/** A new, empty database on the test server (migrations not run). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `tds_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    name,
    url: url.toString(),
    drop: () =>
      (dropped ??= withAdminClient(async (client) => {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      })),
  };
}

export interface TestBackend {
  readonly kind: DatabaseKind;
  /**
   * The variables that select this backend, to spread into the app's environment
   * (`createTestApp({ ...backend.env, ... })`). Filled in before the suite's own beforeAll.
   */
  env: Record<string, string>;
  /** Drops the PostgreSQL database (no-op on PGlite). Call it after closing the app; runs anyway at the end. */
  cleanup(): Promise<void>;
}

/**
 * Declares the suite twice: on PostgreSQL (a fresh database; skipped when the server is
 * unreachable) and on the embedded PGlite (in memory). Titles end in `[postgres]`/`[pglite]`.
 */
export function describeEachBackend(name: string, fn: (backend: TestBackend) => void): void {
  for (const kind of ['postgres', 'pglite'] as const) {
    const describeFn = kind === 'postgres' ? describePostgres : describe;
    describeFn(`${name} [${kind}]`, () => {
      let database: TestDatabase | undefined;
      const backend: TestBackend = {
        kind,
        env: {},
        cleanup: async () => database?.drop(),
      };
      beforeAll(async () => {
        if (kind === 'postgres') {
          database = await createTestDatabase();
          backend.env = { DATABASE_URL: database.url };
        } else {
          // Empty counts as unset, overriding a DATABASE_URL from the outer environment.
          backend.env = { DATABASE_URL: '', TDS_DATA_DIR: 'memory' };
        }
      });
      fn(backend);
      // Declared after the suite's hooks, so it runs after them (Jest runs afterAll in order).
      afterAll(() => backend.cleanup());
    });
  }
}

export interface TestDataSource {
  /** Initialised and migrated. */
  dataSource: DataSource;
  /** Destroys the DataSource, and drops the database if this call created it. */
  close(): Promise<void>;
}

/**
 * A migrated DataSource without Nest, for low-level tests. PostgreSQL: on `url` when given,
 * else on a fresh database; PGlite: in memory.
 */
export async function openTestDataSource(kind: DatabaseKind, url?: string): Promise<TestDataSource> {
  const database = kind === 'postgres' && !url ? await createTestDatabase() : undefined;
  const config = loadDatabaseConfig(
    kind === 'postgres' ? { DATABASE_URL: url ?? database!.url } : { TDS_DATA_DIR: 'memory' },
  );
  const dataSource = new DataSource(createDataSourceOptions(config));
  try {
    await dataSource.initialize();
    await runPendingMigrations(dataSource, quietLogger);
  } catch (err) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database?.drop();
    throw err;
  }
  return {
    dataSource,
    close: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await database?.drop();
    },
  };
}

const quietLogger = { log: () => undefined };

async function withAdminClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
