import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { registerAs } from '@nestjs/config';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { EnvBoolean, validateConfig } from './validate-config.js';

/** `TDS_DATA_DIR` value that keeps the embedded database in memory (tests, demos). */
export const PGLITE_IN_MEMORY = 'memory';

class DatabaseEnv {
  /** Set: PostgreSQL through `pg`. Unset: the embedded PGlite at TDS_DATA_DIR. */
  @IsOptional() @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// URL' })
  DATABASE_URL?: string = undefined;
  @Type(() => Number) @IsInt() @Min(1) @Max(200) DATABASE_POOL_SIZE: number = 10;
  @IsString() TDS_DATA_DIR: string = './data/pglite';
  @EnvBoolean() @IsBoolean() TDS_MIGRATIONS_RUN: boolean = true;
  /**
   * A statement (its lock waits included) running longer is cancelled (SQLSTATE 57014): a lock
   * or a query that never ends cannot hold a connection for good. 30 s is far above the longest
   * statement of normal work: a worker's batch statements, a retention or reindex batch, a
   * cancel waiting for the batch that holds its items. Migrations run without it. 0: none of ours
   * (the server's or the role's setting applies).
   */
  @Type(() => Number) @IsInt() @Min(0) DATABASE_STATEMENT_TIMEOUT_MS: number = 30_000;
  /**
   * A session idle inside a transaction this long is ended by the server, which frees its locks:
   * a frozen instance cannot keep its claimed items locked. Above the longest legitimate pause
   * inside a transaction: the alert webhook call (TDS_ALERT_WEBHOOK_TIMEOUT_MS, 5 s), made before
   * its receipt commits. 0: none of ours.
   */
  @Type(() => Number) @IsInt() @Min(0) DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: number = 60_000;
  /**
   * Opening a connection, and waiting for a free pooled one (pg-pool applies the same limit to
   * both), fails after this instead of hanging on an unreachable server. A pooled connection is
   * held for one transaction at a time, each far shorter, so the wait cannot reach it under
   * normal load; when it does, the pool is exhausted and failing is the answer.
   */
  @Type(() => Number) @IsInt() @Min(100) @Max(600_000) DATABASE_CONNECT_TIMEOUT_MS: number = 10_000;
  /** Validated by the app config; here it names the connections (see applicationName). */
  @IsOptional() @IsString() TDS_INSTANCE_ID?: string = undefined;
}

export type DatabaseKind = 'postgres' | 'pglite';

export interface DatabaseConfig {
  kind: DatabaseKind;
  /** PostgreSQL only. */
  url?: string;
  poolSize: number;
  /** PGlite only: absolute directory, or null for an in-memory database. */
  pgliteDataDir: string | null;
  migrationsRun: boolean;
  /**
   * The timeouts are PostgreSQL's: PGlite runs in this process, one session with nothing to
   * connect to, and executes a statement synchronously, so no timer could interrupt it.
   * 0: not set by TDS.
   */
  statementTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
  connectTimeoutMs: number;
  /** PostgreSQL's application_name: `tds/<instance id>`, so pg_stat_activity shows which instance holds a lock. */
  applicationName: string;
}

/** Reads the database settings; also used outside Nest (ormconfig.ts, tests). */
export function loadDatabaseConfig(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const e = validateConfig(DatabaseEnv, env);
  return {
    kind: e.DATABASE_URL ? 'postgres' : 'pglite',
    url: e.DATABASE_URL,
    poolSize: e.DATABASE_POOL_SIZE,
    pgliteDataDir: e.TDS_DATA_DIR === PGLITE_IN_MEMORY ? null : resolve(e.TDS_DATA_DIR),
    migrationsRun: e.TDS_MIGRATIONS_RUN,
    statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
    idleInTransactionTimeoutMs: e.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
    applicationName: `tds/${e.TDS_INSTANCE_ID ?? `${hostname()}-${process.pid}`}`.slice(0, 63),
  };
}

export const databaseConfig = registerAs('database', (): DatabaseConfig => loadDatabaseConfig());
