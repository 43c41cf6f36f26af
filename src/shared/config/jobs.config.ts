import { registerAs } from '@nestjs/config';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, Max, Min } from 'class-validator';
import { instanceRoles } from './role.config.js';
import { EnvBoolean, validateConfig } from './validate-config.js';

const DAY_H = 24;

/**
 * Scheduled maintenance jobs (the JobScheduler): whether this instance takes part, how often
 * each job's tick comes round, the dead-letter retry policy and the retention ages.
 */
class JobsEnv {
  /** Off: this instance claims no ticks; the others still run every job once per tick. */
  @EnvBoolean() @IsBoolean() TDS_JOBS_ENABLED: boolean = true;
  /** How long shutdown waits for a job run in flight before closing the connections under it. */
  @Type(() => Number) @IsInt() @Min(0) TDS_JOBS_SHUTDOWN_TIMEOUT_MS: number = 10000;

  @Type(() => Number) @IsInt() @Min(1) @Max(86400) TDS_JOB_RETRY_INTERVAL_S: number = 60;
  @Type(() => Number) @IsInt() @Min(1) @Max(86400) TDS_JOB_RETENTION_INTERVAL_S: number = 300;
  @Type(() => Number) @IsInt() @Min(1) @Max(86400) TDS_JOB_METRICS_ROLLUP_INTERVAL_S: number = 60;
  /** How soon after its hour (and a minute's margin) a webhook run whose items were all done closes. */
  @Type(() => Number) @IsInt() @Min(1) @Max(3600) TDS_JOB_WEBHOOK_RUNS_INTERVAL_S: number = 60;

  /** A transient dead letter waits this long before the retry job replays it: whatever made it fail may have passed. */
  @Type(() => Number) @IsInt() @Min(0) TDS_DLQ_AUTO_RETRY_AFTER_S: number = 3600;
  /** Automatic replays of one item's dead letters; after that it waits for an operator. */
  @Type(() => Number) @IsInt() @Min(0) @Max(100) TDS_DLQ_AUTO_RETRY_MAX: number = 3;
  /** Dead letters per replay command (each one transaction and one replay run). */
  @Type(() => Number) @IsInt() @Min(1) @Max(5000) TDS_DLQ_AUTO_RETRY_BATCH_SIZE: number = 100;

  /** Rows per retention delete; each batch is its own short transaction. */
  @Type(() => Number) @IsInt() @Min(1) @Max(50000) TDS_RETENTION_BATCH_SIZE: number = 1000;
  @Type(() => Number) @IsInt() @Min(1) TDS_RETENTION_INBOX_DAYS: number = 7;
  @Type(() => Number) @IsInt() @Min(1) TDS_RETENTION_QUEUE_DAYS: number = 3;
  /** Also the receipts' age: a receipt matters only while its event may be delivered again. */
  @Type(() => Number) @IsInt() @Min(1) TDS_RETENTION_OUTBOX_HOURS: number = DAY_H;
  @Type(() => Number) @IsInt() @Min(1) TDS_RETENTION_REACTION_FAILURES_DAYS: number = 30;
  @Type(() => Number) @IsInt() @Min(1) TDS_RETENTION_METRICS_DAYS: number = 30;
  @Type(() => Number) @IsInt() @Min(1) TDS_RETENTION_DEAD_LETTERS_DAYS: number = 30;
  @Type(() => Number) @IsInt() @Min(1) TDS_RETENTION_JOB_RUNS_DAYS: number = 7;
  @Type(() => Number) @IsInt() @Min(1) TDS_RETENTION_ALERTS_DAYS: number = 30;
}

const HOUR_S = 3600;
const DAY_S = DAY_H * HOUR_S;

export const jobsConfig = registerAs('jobs', () => {
  const env = validateConfig(JobsEnv);
  return {
    enabled: env.TDS_JOBS_ENABLED && instanceRoles().has('scheduler'),
    shutdownTimeoutMs: env.TDS_JOBS_SHUTDOWN_TIMEOUT_MS,
    retry: {
      intervalSeconds: env.TDS_JOB_RETRY_INTERVAL_S,
      afterSeconds: env.TDS_DLQ_AUTO_RETRY_AFTER_S,
      maxAutoReplays: env.TDS_DLQ_AUTO_RETRY_MAX,
      batchSize: env.TDS_DLQ_AUTO_RETRY_BATCH_SIZE,
    },
    retention: {
      intervalSeconds: env.TDS_JOB_RETENTION_INTERVAL_S,
      batchSize: env.TDS_RETENTION_BATCH_SIZE,
      /** Ages in seconds. */
      inboxSeconds: env.TDS_RETENTION_INBOX_DAYS * DAY_S,
      queueSeconds: env.TDS_RETENTION_QUEUE_DAYS * DAY_S,
      outboxSeconds: env.TDS_RETENTION_OUTBOX_HOURS * HOUR_S,
      reactionFailuresSeconds: env.TDS_RETENTION_REACTION_FAILURES_DAYS * DAY_S,
      metricsSeconds: env.TDS_RETENTION_METRICS_DAYS * DAY_S,
      deadLettersSeconds: env.TDS_RETENTION_DEAD_LETTERS_DAYS * DAY_S,
      jobRunsSeconds: env.TDS_RETENTION_JOB_RUNS_DAYS * DAY_S,
      alertsSeconds: env.TDS_RETENTION_ALERTS_DAYS * DAY_S,
    },
    metricsRollup: {
      intervalSeconds: env.TDS_JOB_METRICS_ROLLUP_INTERVAL_S,
    },
    webhookRuns: {
      intervalSeconds: env.TDS_JOB_WEBHOOK_RUNS_INTERVAL_S,
    },
  };
});
export type JobsConfig = ReturnType<typeof jobsConfig>;
