import { DataSource } from 'typeorm';
import type { Query } from 'typeorm/driver/Query.js';
import { INVENTORY_ENTITIES } from '../../../src/modules/inventory/entities/index.js';
import { SEARCH_ENTITIES } from '../../../src/modules/search/entities/index.js';
import { TDS_ENTITIES } from '../../../src/modules/tds/entities/index.js';
import { REACTION_ENTITIES } from '../../../src/shared/reactions/reaction.entities.js';
import { SyncQueueItemEntity } from '../../../src/modules/tds/entities/sync-queue-item.entity.js';
import { ApiKeyEntity } from '../../../src/shared/auth/api-key.entity.js';
import { loadDatabaseConfig } from '../../../src/shared/config/database.config.js';
import { createDataSourceOptions } from '../../../src/shared/database/data-source-options.js';
import { runPendingMigrations } from '../../../src/shared/database/migration-runner.js';
import { createTestDatabase, describePostgres } from '../../support/test-database.js';
import type { TestDatabase } from '../../support/test-database.js';

/*
 * The schema belongs to the migrations; the entities must describe it exactly, or TypeORM's
 * queries and `migration:generate` would work against a schema that is not there.
 */

const quiet = { log: () => undefined };

/**
 * The one difference TypeORM reports that is not one. It reads a generated column's expression
 * from its own typeorm_metadata table, never from the catalogue, and the raw-SQL migration wrote
 * no row there: it sees tds_sync_queue.content_hash with no expression and would rebuild it.
 * The expression itself is checked against the catalogue below instead.
 */
function isContentHashRebuild({ query, parameters }: Query): boolean {
  return (
    query === 'ALTER TABLE "tds_sync_queue" DROP COLUMN "content_hash"' ||
    query === 'ALTER TABLE "tds_sync_queue" ADD "content_hash" text GENERATED ALWAYS AS (md5(payload::text)) STORED' ||
    (/^(DELETE FROM|INSERT INTO) "typeorm_metadata"/.test(query) &&
      !!parameters?.includes('tds_sync_queue') &&
      parameters.includes('content_hash'))
  );
}

async function openMigrated(env: NodeJS.ProcessEnv): Promise<DataSource> {
  const dataSource = await new DataSource({
    ...createDataSourceOptions(loadDatabaseConfig(env)),
    entities: [...TDS_ENTITIES, ApiKeyEntity, ...REACTION_ENTITIES, ...INVENTORY_ENTITIES, ...SEARCH_ENTITIES],
  }).initialize();
  try {
    await runPendingMigrations(dataSource, quiet);
  } catch (err) {
    await dataSource.destroy();
    throw err;
  }
  return dataSource;
}

async function schemaChanges(dataSource: DataSource): Promise<string[]> {
  const { upQueries } = await dataSource.driver.createSchemaBuilder().log();
  return upQueries
    .filter((q) => !isContentHashRebuild(q))
    .map((q) => (q.parameters?.length ? `${q.query} -- ${JSON.stringify(q.parameters)}` : q.query));
}

/** content_hash's expression as the database stores it, and the entity's as the database would store it. */
async function contentHashExpressions(dataSource: DataSource): Promise<{ migrated: string; entity: string }> {
  const { asExpression } = dataSource.getMetadata(SyncQueueItemEntity).findColumnWithDatabaseName('content_hash')!;
  const runner = dataSource.createQueryRunner();
  const expressionOf = async (table: string): Promise<string> => {
    const [row] = await runner.query(
      `SELECT generation_expression AS expr FROM information_schema.columns
       WHERE table_name = $1 AND column_name = 'content_hash'`,
      [table],
    );
    return row.expr;
  };
  try {
    await runner.startTransaction();
    await runner.query(
      `CREATE TEMP TABLE content_hash_probe (payload jsonb, content_hash text GENERATED ALWAYS AS (${asExpression}) STORED)`,
    );
    return { migrated: await expressionOf('tds_sync_queue'), entity: await expressionOf('content_hash_probe') };
  } finally {
    await runner.rollbackTransaction();
    await runner.release();
  }
}

function describeSchemaMatch(env: () => NodeJS.ProcessEnv): void {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await openMigrated(env());
  });
  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
  });

  it('leaves TypeORM nothing to change', async () => {
    expect(await schemaChanges(dataSource)).toEqual([]);
  });

  it('gives the generated content_hash the migration expression', async () => {
    const { migrated, entity } = await contentHashExpressions(dataSource);
    expect(migrated).toMatch(/md5/);
    expect(entity).toBe(migrated);
  });
}

describePostgres('entities against the migrated schema on PostgreSQL', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  describeSchemaMatch(() => ({ DATABASE_URL: database.url }));
  // After the DataSource's afterAll (Jest runs them in order): dropping ends its connections.
  afterAll(() => database?.drop());
});

describe('entities against the migrated schema on PGlite', () => {
  describeSchemaMatch(() => ({ TDS_DATA_DIR: 'memory' }));
});
