import { Query } from '@nestjs/cqrs';

/** One claimed tick of a scheduled job. */
export interface JobRun {
  job: string;
  tick: number;
  /** The instance that claimed and ran it. */
  instance: string;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  outcome: 'running' | 'succeeded' | 'failed';
  /** What the job returned, or `{ error }` when it failed. */
  detail: unknown;
}

export interface JobStatus {
  job: string;
  intervalSeconds: number;
  /** Null until the job has run once. */
  lastRun: JobRun | null;
}

export interface JobRunsView {
  /** Every job this application schedules, by name. */
  jobs: JobStatus[];
  /** The latest runs of all jobs, newest first. */
  recent: JobRun[];
}

/** The scheduled jobs' state: each job's last run, and the recent runs across jobs. */
export class ListJobRunsQuery extends Query<JobRunsView> {
  constructor(readonly recentLimit = 50) {
    super();
  }
}
