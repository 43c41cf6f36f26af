import { Injectable } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { CommandBus } from '@nestjs/cqrs';
import type { JobsConfig } from '../../../shared/config/jobs.config.js';
import { RunRetentionCommand } from '../commands/run-retention/run-retention.command.js';
import type { RetentionPolicy, RetentionResult } from '../commands/run-retention/run-retention.command.js';
import { JobScheduler } from './job-scheduler.js';
import type { ScheduledJob } from './scheduled-job.js';

/** Runs the retention policy of the jobs configuration; its detail is what each table lost. */
@Injectable()
export class RetentionJob implements ScheduledJob, OnModuleInit {
  readonly name = 'maintenance.retention';
  readonly intervalSeconds: number;
  private readonly policy: RetentionPolicy;

  constructor(
    config: ConfigService,
    private readonly scheduler: JobScheduler,
    private readonly commandBus: CommandBus,
  ) {
    const { intervalSeconds, ...policy } = config.getOrThrow<JobsConfig>('jobs').retention;
    this.intervalSeconds = intervalSeconds;
    this.policy = policy;
  }

  onModuleInit(): void {
    this.scheduler.register(this);
  }

  run(): Promise<RetentionResult> {
    return this.commandBus.execute(new RunRetentionCommand(this.policy));
  }
}
