import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { databaseConfig } from '../config/database.config.js';
import type { DatabaseConfig } from '../config/database.config.js';
import { createDataSourceOptions } from './data-source-options.js';
import { DatabaseInfo } from './database-info.js';
import { DbNotifier } from './db-notifier.js';
import { runPendingMigrations } from './migration-runner.js';

/**
 * The TypeORM DataSource (inject `DataSource`, or use `@InjectDataSource()`), `DatabaseInfo` and
 * `DbNotifier`, for the whole app. PostgreSQL through `pg` when DATABASE_URL is set, else the
 * embedded PGlite at TDS_DATA_DIR. Entities come from the modules' TypeOrmModule.forFeature().
 * The DataSource is handed out only after the pending migrations ran (TDS_MIGRATIONS_RUN), so
 * nothing at start-up can query a schema that is not there yet.
 */
@Global()
@Module({
  imports: [
    ConfigModule.forFeature(databaseConfig),
    TypeOrmModule.forRootAsync({
      imports: [ConfigModule.forFeature(databaseConfig)],
      inject: [databaseConfig.KEY],
      useFactory: (config: DatabaseConfig) => ({
        ...createDataSourceOptions(config),
        // Taken over by dataSourceFactory below, which adds the lock TypeORM's own run lacks.
        migrationsRun: config.migrationsRun,
        autoLoadEntities: true,
        retryAttempts: 5,
        retryDelay: 2000,
        toRetry: isConnectionFailure,
      }),
      dataSourceFactory: async (options) => {
        const dataSource = await new DataSource({ ...options!, migrationsRun: false }).initialize();
        if (options!.migrationsRun) {
          try {
            await runPendingMigrations(dataSource);
          } catch (err) {
            // Else a retry would open a second PGlite on the same directory.
            await dataSource.destroy();
            throw err;
          }
        }
        return dataSource;
      },
    }),
  ],
  providers: [
    { provide: DatabaseInfo, inject: [databaseConfig.KEY], useFactory: DatabaseInfo.of },
    DbNotifier,
  ],
  exports: [DatabaseInfo, DbNotifier],
})
export class DatabaseModule {}

/**
 * pg's own errors for a connection lost while it opens (a server restarting, a proxy with no
 * backend yet) or not opened within DATABASE_CONNECT_TIMEOUT_MS: they carry no code.
 */
const CONNECTION_LOST = /^Connection terminated (unexpectedly|due to connection timeout)$/;

/** A server still starting or unreachable is worth waiting for; a failing migration is not. */
export function isConnectionFailure(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string') return /^E[A-Z]+$/.test(code) || code.startsWith('08') || code === '57P03';
  return typeof message === 'string' && CONNECTION_LOST.test(message);
}
