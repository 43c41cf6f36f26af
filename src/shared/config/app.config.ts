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
  /**
   * Headers and body must have arrived this long after the request began, or it is answered
   * 408 and its connection closed: a sender that trickles or stalls (slow loris) cannot hold a
   * connection. 30 s carries a 10 MiB bulk body at ~350 KB/s; raise it with the bulk body
   * limit for slow links. The handler's own time does not count.
   */
  @Type(() => Number) @IsInt() @Min(100) @Max(3_600_000) TDS_REQUEST_TIMEOUT_MS: number = 30_000;
  /**
   * A connection on which no byte moves either way for this long is closed: a client that
   * stops reading its answer, a handler that never answers. Above the longest silence of a
   * legitimate request (a delivery waits for at most two statement timeouts and a pool wait
   * before its 503) and above the 60 s idle timeout of common proxies, so a proxy in front
   * gives up first. The synchronous search reindex of a very large mirror may need more.
   */
  @Type(() => Number) @IsInt() @Min(100) @Max(3_600_000) TDS_CONNECTION_TIMEOUT_MS: number = 120_000;
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
    requestTimeoutMs: env.TDS_REQUEST_TIMEOUT_MS,
    connectionTimeoutMs: env.TDS_CONNECTION_TIMEOUT_MS,
    logLevel: env.LOG_LEVEL,
    nodeEnv: env.NODE_ENV,
    instanceId: env.TDS_INSTANCE_ID,
  };
});
export type AppConfig = ReturnType<typeof appConfig>;
