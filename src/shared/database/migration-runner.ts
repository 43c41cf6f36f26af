import { Logger } from '@nestjs/common';
import { MigrationExecutor } from 'typeorm';
import type { DataSource, Migration } from 'typeorm';

type MigrationLog = Pick<Logger, 'log'>;

/** Session-level advisory lock key shared by every instance that migrates this database. */
export const MIGRATION_LOCK_KEY = 7_104_210_019;

/**
 * Runs the pending migrations under a PostgreSQL advisory lock, so instances starting together
 * take turns and the later ones find nothing left to do. Lock, migrations and unlock share one
 * query runner: on the one-session PGlite pool a second runner would wait for the first forever.
 * Returns the migrations that ran (in one transaction: all or none).
 */
export async function runPendingMigrations(
  dataSource: DataSource,
  logger: MigrationLog = new Logger('Migrations'),
): Promise<Migration[]> {
  const runner = dataSource.createQueryRunner();
  try {
    // Waiting for the lock and the migrations themselves (a CREATE INDEX on a big table, a
    // backfill computing between its statements) must not hit the connection's timeouts;
    // RESET restores its configured values before it returns to the pool.
    await runner.query('SET statement_timeout = 0');
    await runner.query('SET idle_in_transaction_session_timeout = 0');
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'all';
      const ran = await executor.executePendingMigrations();
      logger.log(
        ran.length === 0
          ? 'database schema is up to date'
          : `${ran.length} migration(s) applied: ${ran.map((m) => m.name).join(', ')}`,
      );
      return ran;
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.query('RESET statement_timeout').catch(() => undefined);
    await runner.query('RESET idle_in_transaction_session_timeout').catch(() => undefined);
    await runner.release();
  }
}
