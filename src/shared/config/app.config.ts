import { hostname } from 'node:os';
import { registerAs } from '@nestjs/config';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { validateConfig } from './validate-config.js';

const MiB = 1024 * 1024;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

class AppEnv {
  /** 0 picks a free port (tests that spawn the process). */
  @Type(() => Number) @IsInt() @Min(0) @Max(65535) PORT: number = 3000;
  @IsString() HOST: string = '0.0.0.0';
  /** Only the bulk enqueue route (`@BulkBodyLimit()`) takes bodies this large. */
  @Type(() => Number) @IsInt() @Min(1024) @Max(512 * MiB) TDS_BODY_LIMIT_BYTES: number = 10 * MiB;
  @Type(() => Number) @IsInt() @Min(1024) @Max(512 * MiB) TDS_DEFAULT_BODY_LIMIT_BYTES: number = MiB;
  @IsIn(LOG_LEVELS) LOG_LEVEL: LogLevel = 'info';
  @IsIn(NODE_ENVS) NODE_ENV: NodeEnv = 'production';
  /** Names this process in logs and in cluster-wide claims (job runs, leases). */
  @Matches(/^[A-Za-z0-9._:-]{1,128}$/, { message: 'must be 1-128 characters of A-Z a-z 0-9 . _ : -' })
  TDS_INSTANCE_ID: string = `${hostname()}-${process.pid}`;
}

export const appConfig = registerAs('app', () => {
  const env = validateConfig(AppEnv);
  return {
    port: env.PORT,
    host: env.HOST,
    bulkBodyLimitBytes: env.TDS_BODY_LIMIT_BYTES,
    bodyLimitBytes: env.TDS_DEFAULT_BODY_LIMIT_BYTES,
    logLevel: env.LOG_LEVEL,
    nodeEnv: env.NODE_ENV,
    instanceId: env.TDS_INSTANCE_ID,
  };
});
export type AppConfig = ReturnType<typeof appConfig>;
