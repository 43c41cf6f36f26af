import { types } from 'pg';
import type { CustomTypesConfig } from 'pg';
import type { DataSourceOptions } from 'typeorm';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions.js';
import { migrations } from '../../migrations/index.js';
import type { DatabaseConfig } from '../config/database.config.js';
import { PglitePool } from './pglite-pool.js';
import type { PglitePoolOptions } from './pglite-pool.js';

type TypeId = Parameters<typeof types.getTypeParser>[0];
const INT8 = types.builtins.INT8;
// Array types are missing from pg-types' TypeId enum.
const INT8_ARRAY = 1016 as TypeId;

const parseInt8Array = (value: string): (number | null)[] =>
  (types.getTypeParser(INT8_ARRAY, 'text')(value) as (string | null)[]).map((v) =>
    v === null ? null : Number(v),
  );

/**
 * int8 as a JS number on `pg` (it defaults to strings; PGlite is configured alike in
 * pglite-pool.ts). Ids, counts and epoch-millisecond versions stay far below 2^53.
 * Given per pool: `types.setTypeParser` would change every `pg` client in the process.
 */
export const pgTypes: CustomTypesConfig = {
  getTypeParser: ((oid: TypeId, format?: 'text' | 'binary') => {
    if (format !== 'binary') {
      if (oid === INT8) return Number;
      if (oid === INT8_ARRAY) return parseInt8Array;
    }
    return types.getTypeParser(oid, format);
  }) as CustomTypesConfig['getTypeParser'],
};

/**
 * The DataSource settings, shared by the Nest module and the TypeORM CLI (ormconfig.ts).
 * Entities are not listed: the module loads those registered with TypeOrmModule.forFeature, and
 * the CLI only needs migrations. The schema belongs to the migrations (no synchronize, no
 * automatic CREATE EXTENSION); migration-runner.ts runs them under a lock.
 */
export function createDataSourceOptions(config: DatabaseConfig): DataSourceOptions {
  const common = {
    type: 'postgres',
    migrations,
    migrationsRun: false,
    migrationsTransactionMode: 'all',
    synchronize: false,
    installExtensions: false,
    logging: ['warn', 'migration'],
  } satisfies Partial<PostgresDataSourceOptions>;
  if (config.kind === 'postgres') {
    return {
      ...common,
      url: config.url,
      poolSize: config.poolSize,
      applicationName: config.applicationName,
      // pg-pool's connectionTimeoutMillis: opening a connection and waiting for a pooled one.
      connectTimeoutMS: config.connectTimeoutMs,
      extra: {
        types: pgTypes,
        // Session settings sent when each connection opens; pg leaves out a 0 (the server's own applies).
        statement_timeout: config.statementTimeoutMs,
        idle_in_transaction_session_timeout: config.idleInTransactionTimeoutMs,
      },
    };
  }
  // PGlite takes none of the timeouts: see DatabaseConfig.
  const pool: PglitePoolOptions = { dataDir: config.pgliteDataDir };
  return { ...common, driver: { Pool: PglitePool }, poolSize: 1, extra: pool };
}
