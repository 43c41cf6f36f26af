import { QueryHandler } from '@nestjs/cqrs';
import type { IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { queryRows } from '../../../../shared/database/sql.js';
import { JobScheduler } from '../../jobs/job-scheduler.js';
import { ListJobRunsQuery } from './list-job-runs.query.js';
import type { JobRun, JobRunsView } from './list-job-runs.query.js';
import { LAST_RUN_PER_JOB_SQL, RECENT_RUNS_SQL } from './list-job-runs.sql.js';

const MAX_RECENT = 500;

type JobRunRow = Omit<JobRun, 'startedAt' | 'finishedAt'> & {
  startedAt: Date;
  finishedAt: Date | null;
};

/** Timestamps go out as ISO strings. */
const toJobRun = (row: JobRunRow): JobRun => ({
  ...row,
  startedAt: new Date(row.startedAt).toISOString(),
  finishedAt: row.finishedAt === null ? null : new Date(row.finishedAt).toISOString(),
});

@QueryHandler(ListJobRunsQuery)
export class ListJobRunsHandler implements IQueryHandler<ListJobRunsQuery, JobRunsView> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly scheduler: JobScheduler,
  ) {}

  async execute({ recentLimit }: ListJobRunsQuery): Promise<JobRunsView> {
    const jobs = [...this.scheduler.registered].sort((a, b) => a.name.localeCompare(b.name));
    const limit = Math.min(Math.max(1, Math.trunc(recentLimit)), MAX_RECENT);
    const [last, recent] = await Promise.all([
      queryRows<JobRunRow>(this.dataSource, LAST_RUN_PER_JOB_SQL, [jobs.map((job) => job.name)]),
      queryRows<JobRunRow>(this.dataSource, RECENT_RUNS_SQL, [limit]),
    ]);
    const lastByJob = new Map(last.map((row) => [row.job, toJobRun(row)]));
    return {
      jobs: jobs.map((job) => ({ job: job.name, intervalSeconds: job.intervalSeconds, lastRun: lastByJob.get(job.name) ?? null })),
      recent: recent.map(toJobRun),
    };
  }
}
