import { DataSource } from 'typeorm';
import type { QueryRunner } from 'typeorm';

/** Where a statement runs: a transaction's QueryRunner, or the DataSource (a pooled connection, autocommit). */
export type SqlExecutor = DataSource | QueryRunner;

/**
 * Runs one statement and returns its rows, whatever the statement's command: TypeORM hands
 * back `[rows, count]` for a bare UPDATE/DELETE and `rows` otherwise, so ask for the
 * structured result and read its records. On a DataSource the statement gets a pooled
 * connection of its own for just this call.
 */
export async function queryRows<T>(db: SqlExecutor, sql: string, parameters: unknown[] = []): Promise<T[]> {
  if (db instanceof DataSource) {
    const runner = db.createQueryRunner();
    try {
      return await queryRows<T>(runner, sql, parameters);
    } finally {
      await runner.release();
    }
  }
  const result = await db.query(sql, parameters, true);
  return result.records ?? [];
}
