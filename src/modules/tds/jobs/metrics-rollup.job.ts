import { Injectable } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DataSource } from 'typeorm';
import type { JobsConfig } from '../../../shared/config/jobs.config.js';
import { queryRows } from '../../../shared/database/sql.js';
import { JobScheduler } from './job-scheduler.js';
import { ROLL_UP_METRICS_SQL } from './metrics-rollup.sql.js';
import type { ScheduledJob } from './scheduled-job.js';

/** A bucket is folded once it is this old: its minute has been over for one more minute. */
const FOLD_AFTER_S = 120;

/** Keeps `tds_metrics` at one row per minute, source and entity type once a minute is over. */
@Injectable()
export class MetricsRollupJob implements ScheduledJob, OnModuleInit {
  readonly name = 'maintenance.metrics-rollup';
  readonly intervalSeconds: number;

  constructor(
    config: ConfigService,
    private readonly scheduler: JobScheduler,
    private readonly dataSource: DataSource,
  ) {
    this.intervalSeconds = config.getOrThrow<JobsConfig>('jobs').metricsRollup.intervalSeconds;
  }

  onModuleInit(): void {
    this.scheduler.register(this);
  }

  async run(): Promise<{ rowsFolded: number; buckets: number }> {
    const [result] = await queryRows<{ rowsFolded: number; buckets: number }>(this.dataSource, ROLL_UP_METRICS_SQL, [FOLD_AFTER_S]);
    return result;
  }
}
