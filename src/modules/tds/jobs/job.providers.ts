import { JobScheduler } from './job-scheduler.js';
import { MetricsRollupJob } from './metrics-rollup.job.js';
import { PullScheduleJobs } from './pull-schedule.job.js';
import { RetentionJob } from './retention.job.js';
import { RetryJob } from './retry.job.js';
import { WebhookRunsJob } from './webhook-runs.job.js';

/** The scheduler and the maintenance jobs: TdsModule's providers (the handlers of what they send are registered beside the others). */
export const JOB_PROVIDERS = [JobScheduler, RetryJob, RetentionJob, MetricsRollupJob, WebhookRunsJob, PullScheduleJobs];
