import { RunRetentionHandler } from '../commands/run-retention/run-retention.handler.js';
import { ListJobRunsHandler } from '../queries/list-job-runs/list-job-runs.handler.js';
import { JobScheduler } from './job-scheduler.js';
import { MetricsRollupJob } from './metrics-rollup.job.js';
import { PullScheduleJobs } from './pull-schedule.job.js';
import { RetentionJob } from './retention.job.js';
import { RetryJob } from './retry.job.js';
import { WebhookRunsJob } from './webhook-runs.job.js';

/** The scheduler, the maintenance jobs, and the command and query they bring: TdsModule's providers. */
export const JOB_PROVIDERS = [JobScheduler, RetryJob, RetentionJob, MetricsRollupJob, WebhookRunsJob, PullScheduleJobs, RunRetentionHandler, ListJobRunsHandler];
