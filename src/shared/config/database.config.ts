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
  @IsOptional() @Type(() => Number) @IsInt() @Min(1)
  DATABASE_STATEMENT_TIMEOUT_MS?: number = undefined;
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
  /** PostgreSQL only: PGlite runs one statement at a time in-process and has no timer to cancel it. */
  statementTimeoutMs?: number;
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
    applicationName: `tds/${e.TDS_INSTANCE_ID ?? `${hostname()}-${process.pid}`}`.slice(0, 63),
  };
}

export const databaseConfig = registerAs('database', (): DatabaseConfig => loadDatabaseConfig());
