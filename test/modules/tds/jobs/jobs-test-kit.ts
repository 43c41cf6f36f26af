import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JobScheduler } from '../../../../src/modules/tds/jobs/job-scheduler.js';
import type { JobRunOutcome } from '../../../../src/modules/tds/jobs/job-scheduler.js';
import { queryRows } from '../../../../src/shared/database/sql.js';
import { eventually } from '../../../support/spawn-app.js';

/** Every maintenance job ticks each second, so a test can claim a fresh tick whenever it needs one. */
export const EVERY_SECOND = {
  TDS_JOB_RETRY_INTERVAL_S: '1',
  TDS_JOB_RETENTION_INTERVAL_S: '1',
  TDS_JOB_METRICS_ROLLUP_INTERVAL_S: '1',
  TDS_JOB_WEBHOOK_RUNS_INTERVAL_S: '1',
};

export const JOB_NAMES = ['maintenance.metrics-rollup', 'maintenance.retention', 'maintenance.retry', 'maintenance.webhook-runs'];

export function sql<T = Record<string, any>>(app: INestApplication, text: string, params: unknown[] = []): Promise<T[]> {
  return queryRows<T>(app.get(DataSource), text, params);
}

/** Runs `name` once through the scheduler, as its timer would, waiting for a tick nobody has claimed yet. */
export function runJob(app: INestApplication, name: string): Promise<JobRunOutcome> {
  return eventually(async () => {
    const run = await app.get(JobScheduler).runNow(name);
    if (!run) throw new Error(`${name}: this tick is taken`);
    return run;
  }, 15_000, 50);
}
