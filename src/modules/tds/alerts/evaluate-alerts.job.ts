import { Injectable } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { CommandBus } from '@nestjs/cqrs';
import type { AlertsConfig } from '../../../shared/config/alerts.config.js';
import { EvaluateAlertsCommand } from '../commands/evaluate-alerts/evaluate-alerts.command.js';
import type { EvaluateAlertsResult } from '../commands/evaluate-alerts/evaluate-alerts.command.js';
import { JobScheduler } from '../jobs/job-scheduler.js';
import type { ScheduledJob } from '../jobs/scheduled-job.js';

/** Evaluates the alert rules once per cluster per tick; the counts become the run's detail. */
@Injectable()
export class EvaluateAlertsJob implements ScheduledJob, OnModuleInit {
  readonly name = 'alerts.evaluate';
  readonly intervalSeconds: number;

  constructor(
    config: ConfigService,
    private readonly scheduler: JobScheduler,
    private readonly commandBus: CommandBus,
  ) {
    this.intervalSeconds = config.getOrThrow<AlertsConfig>('alerts').evaluateIntervalSeconds;
  }

  onModuleInit(): void {
    this.scheduler.register(this);
  }

  run(): Promise<EvaluateAlertsResult> {
    return this.commandBus.execute(new EvaluateAlertsCommand());
  }
}
