/**
 * A maintenance job run by the JobScheduler once per cluster per tick: the tick is the floor of
 * the database clock (epoch seconds) over the interval, claimed in `tds_job_runs` before the
 * job runs, so however many instances fire for a tick, one runs it.
 */
export interface ScheduledJob {
  /** Unique; names the job's rows in `tds_job_runs`. */
  readonly name: string;
  /** Seconds between ticks. */
  readonly intervalSeconds: number;
  /** One run. What it returns is stored as the run's detail; a throw marks the run failed. */
  run(): Promise<Record<string, unknown> | void>;
}
