import { Injectable, Logger } from '@nestjs/common';
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../../shared/config/app.config.js';
import type { JobsConfig } from '../../../shared/config/jobs.config.js';
import { queryRows } from '../../../shared/database/sql.js';
import { settlesWithin } from '../../../shared/runtime/settles-within.js';
import { CLAIM_TICK_SQL, FINISH_RUN_SQL } from './job-scheduler.sql.js';
import type { ScheduledJob } from './scheduled-job.js';

/** One run of a job on this instance, as recorded in `tds_job_runs`. */
export interface JobRunOutcome {
  job: string;
  tick: number;
  outcome: 'succeeded' | 'failed';
  detail: Record<string, unknown> | null;
}

/** A failed run's error message is stored and logged: kept short, and without the password of any URL in it. */
const MAX_ERROR_CHARS = 2000;
const URL_CREDENTIALS = /\/\/([^/@\s:]*):[^/@\s]*@/g;
const redact = (text: string) => text.replace(URL_CREDENTIALS, '//$1:***@');

const timerName = (job: string) => `tds-job:${job}`;

/**
 * Runs each registered job once per cluster per tick (ARCHITECTURE §6, invariant 6). Every
 * instance with jobs enabled keeps one timer per job; when it fires, the instance claims the
 * tick in `tds_job_runs` and runs the job only if the claim went in, then records how it ended.
 * The timers live in @nestjs/schedule's SchedulerRegistry, where they can be seen and are
 * cleared at shutdown.
 *
 * Timers fire in the middle fifth of each tick, not on its boundary: the tick is named by the
 * database's clock, so an instance whose clock is off by less than 0.4 of an interval still
 * claims the tick it means. The random place within that fifth spreads the runs over the
 * instances, instead of handing every tick to whichever is quickest off the mark, and keeps
 * their claims from all arriving in the same millisecond.
 */
@Injectable()
export class JobScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(JobScheduler.name);
  private readonly config: JobsConfig;
  private readonly instanceId: string;
  private readonly jobs = new Map<string, ScheduledJob>();
  /** Runs in flight here, by job: a tick that finds its job still running on this instance leaves it to the others. */
  private readonly running = new Map<string, Promise<JobRunOutcome | undefined>>();
  private started = false;
  private stopping = false;

  constructor(
    config: ConfigService,
    private readonly dataSource: DataSource,
    private readonly timers: SchedulerRegistry,
  ) {
    this.config = config.getOrThrow<JobsConfig>('jobs');
    this.instanceId = config.getOrThrow<AppConfig>('app').instanceId;
  }

  /** Called by job providers in onModuleInit. */
  register(job: ScheduledJob): void {
    if (this.jobs.has(job.name)) throw new Error(`Scheduled job ${job.name} is registered twice`);
    if (!(job.intervalSeconds > 0)) throw new RangeError(`Scheduled job ${job.name}: intervalSeconds must be positive`);
    this.jobs.set(job.name, job);
    if (this.started) this.arm(job);
  }

  get registered(): readonly ScheduledJob[] {
    return [...this.jobs.values()];
  }

  onApplicationBootstrap(): void {
    if (!this.config.enabled) return;
    this.started = true;
    for (const job of this.jobs.values()) this.arm(job);
    this.logger.log(`scheduled: ${[...this.jobs.values()].map((j) => `${j.name} every ${j.intervalSeconds}s`).join(', ')}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const name of this.jobs.keys()) {
      // ScheduleModule clears the registry at shutdown too, possibly first.
      if (this.timers.doesExist('timeout', timerName(name))) this.timers.deleteTimeout(timerName(name));
    }
    if (this.running.size === 0) return;
    const finished = await settlesWithin(Promise.allSettled(this.running.values()), this.config.shutdownTimeoutMs);
    if (!finished) this.logger.warn(`shutdown: still running after ${this.config.shutdownTimeoutMs} ms: ${[...this.running.keys()].join(', ')}`);
  }

  /**
   * Claims the current tick of `name` and runs the job here, as its timer would (whether or not
   * timers are enabled). Undefined when the tick was already claimed, by any instance, or the
   * job is still running on this one.
   */
  runNow(name: string): Promise<JobRunOutcome | undefined> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`No scheduled job named ${name}`);
    return this.claimAndRun(job);
  }

  /** Sets the job's timer for the next tick; it re-arms itself before each run, so a long run does not delay the next tick. */
  private arm(job: ScheduledJob): void {
    if (this.stopping) return;
    const intervalMs = job.intervalSeconds * 1000;
    const delay = intervalMs - (Date.now() % intervalMs) + intervalMs * (0.4 + 0.2 * Math.random());
    const name = timerName(job.name);
    if (this.timers.doesExist('timeout', name)) this.timers.deleteTimeout(name);
    this.timers.addTimeout(
      name,
      setTimeout(() => {
        this.arm(job);
        this.claimAndRun(job).catch((error: unknown) =>
          // The claim or the record failed (the database is away, say): the next tick tries again.
          this.logger.error(`${job.name}: ${(error as Error).message}`, (error as Error).stack),
        );
      }, delay),
    );
  }

  private async claimAndRun(job: ScheduledJob): Promise<JobRunOutcome | undefined> {
    if (this.running.has(job.name)) {
      this.logger.warn(`${job.name}: the previous run is still going on this instance; this tick is left to the others`);
      return undefined;
    }
    const run = this.run(job);
    this.running.set(job.name, run);
    try {
      return await run;
    } finally {
      this.running.delete(job.name);
    }
  }

  private async run(job: ScheduledJob): Promise<JobRunOutcome | undefined> {
    const [claimed] = await queryRows<{ tick: number }>(this.dataSource, CLAIM_TICK_SQL, [
      job.name,
      job.intervalSeconds,
      this.instanceId,
    ]);
    if (!claimed) return undefined;
    const { tick } = claimed;
    let outcome: JobRunOutcome;
    try {
      outcome = { job: job.name, tick, outcome: 'succeeded', detail: (await job.run()) ?? null };
    } catch (error) {
      const message = redact(error instanceof Error ? error.message : String(error)).slice(0, MAX_ERROR_CHARS);
      const stack = error instanceof Error && error.stack ? redact(error.stack) : undefined;
      this.logger.error(`${job.name} (tick ${tick}) failed: ${message}`, stack);
      outcome = { job: job.name, tick, outcome: 'failed', detail: { error: message } };
    }
    const detail = outcome.detail === null ? null : JSON.stringify(outcome.detail);
    await queryRows(this.dataSource, FINISH_RUN_SQL, [job.name, tick, outcome.outcome, detail]);
    return outcome;
  }
}
