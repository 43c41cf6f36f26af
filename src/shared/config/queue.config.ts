import { registerAs } from '@nestjs/config';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { instanceRoles } from './role.config.js';
import { EnvBoolean, validateConfig } from './validate-config.js';

class QueueEnv {
  @EnvBoolean() @IsBoolean() TDS_WORKERS_ENABLED: boolean = true;
  @Type(() => Number) @IsInt() @Min(0) @Max(64) TDS_WORKER_COUNT: number = 2;
  @Type(() => Number) @IsInt() @Min(1) @Max(5000) TDS_BATCH_SIZE: number = 1000;
  @Type(() => Number) @IsInt() @Min(10) TDS_POLL_INTERVAL_MS: number = 1000;
  /** Pause after a batch that was not full, so the next one gathers more (0: none). */
  @Type(() => Number) @IsInt() @Min(0) @Max(5000) TDS_BATCH_LINGER_MS: number = 100;
  @Type(() => Number) @IsInt() @Min(1) TDS_BACKOFF_BASE_MS: number = 1000;
  @Type(() => Number) @IsInt() @Min(1) TDS_BACKOFF_CAP_MS: number = 300000;
  @Type(() => Number) @IsInt() @Min(1) @Max(100) TDS_MAX_ATTEMPTS: number = 5;
  /** `product:8,invoice:3`: max attempts for some entity types. */
  @IsOptional() @IsString() @Matches(/^([a-z_]+:\d+)(,[a-z_]+:\d+)*$/)
  TDS_MAX_ATTEMPTS_BY_TYPE?: string;
  /** Batches an item may die in before it is dead-lettered as POISON. */
  @Type(() => Number) @IsInt() @Min(1) @Max(20) TDS_MAX_CRASHES: number = 3;
  @Type(() => Number) @IsInt() @Min(0) TDS_SHUTDOWN_TIMEOUT_MS: number = 10000;
}

export const queueConfig = registerAs('queue', () => {
  const env = validateConfig(QueueEnv);
  const maxAttemptsByType: Record<string, number> = {};
  for (const pair of env.TDS_MAX_ATTEMPTS_BY_TYPE?.split(',') ?? []) {
    const [type, n] = pair.split(':');
    maxAttemptsByType[type] = Number(n);
  }
  if (env.TDS_BACKOFF_CAP_MS < env.TDS_BACKOFF_BASE_MS) {
    throw new Error('Invalid configuration:\n  TDS_BACKOFF_CAP_MS: must not be below TDS_BACKOFF_BASE_MS');
  }
  return {
    workersEnabled: env.TDS_WORKERS_ENABLED && instanceRoles().has('worker'),
    workerCount: env.TDS_WORKER_COUNT,
    batchSize: env.TDS_BATCH_SIZE,
    pollIntervalMs: env.TDS_POLL_INTERVAL_MS,
    batchLingerMs: env.TDS_BATCH_LINGER_MS,
    backoffBaseMs: env.TDS_BACKOFF_BASE_MS,
    backoffCapMs: env.TDS_BACKOFF_CAP_MS,
    maxAttempts: env.TDS_MAX_ATTEMPTS,
    maxAttemptsByType,
    maxCrashes: env.TDS_MAX_CRASHES,
    shutdownTimeoutMs: env.TDS_SHUTDOWN_TIMEOUT_MS,
  };
});
export type QueueConfig = ReturnType<typeof queueConfig>;
