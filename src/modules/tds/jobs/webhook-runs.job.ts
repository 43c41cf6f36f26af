import { Injectable } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DataSource } from 'typeorm';
import type { JobsConfig } from '../../../shared/config/jobs.config.js';
import { queryRows } from '../../../shared/database/sql.js';
import { JobScheduler } from './job-scheduler.js';
import type { ScheduledJob } from './scheduled-job.js';
import { CLOSE_ENDED_WEBHOOK_RUNS_SQL } from './webhook-runs.sql.js';

/** Closes the webhook runs whose hour is over and whose items were all processed before it was. */
@Injectable()
export class WebhookRunsJob implements ScheduledJob, OnModuleInit {
  readonly name = 'maintenance.webhook-runs';
  readonly intervalSeconds: number;

  constructor(
    config: ConfigService,
    private readonly scheduler: JobScheduler,
    private readonly dataSource: DataSource,
  ) {
    this.intervalSeconds = config.getOrThrow<JobsConfig>('jobs').webhookRuns.intervalSeconds;
  }

  onModuleInit(): void {
    this.scheduler.register(this);
  }

  async run(): Promise<{ closed: number }> {
    const [{ closed }] = await queryRows<{ closed: number }>(this.dataSource, CLOSE_ENDED_WEBHOOK_RUNS_SQL);
    return { closed };
  }
}
