import { Injectable } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { CommandBus } from '@nestjs/cqrs';
import type { PullConfig } from '../../../shared/config/pull.config.js';
import type { ZohoConfig } from '../../../shared/config/zoho.config.js';
import { StartPullRunCommand } from '../commands/start-pull-run/start-pull-run.command.js';
import { PullInProgressError } from '../commands/start-pull-run/start-pull-run.errors.js';
import { isZohoEntityType, ZOHO_ENTITY_TYPES } from '../sources/zoho/zoho-entity-types.js';
import { JobScheduler } from './job-scheduler.js';
import type { ScheduledJob } from './scheduled-job.js';

/**
 * The scheduled incremental pulls (TDS_PULL_SCHEDULE): one job per configured Zoho account and
 * scheduled entity type, `pull.<account>.<entity type>`, run once per cluster per tick like every
 * job. A tick that finds the previous run still fetching leaves it be: the run already reads
 * everything up to now, and the next tick starts from where it ends.
 */
@Injectable()
export class PullScheduleJobs implements OnModuleInit {
  constructor(
    private readonly config: ConfigService,
    private readonly scheduler: JobScheduler,
    private readonly commandBus: CommandBus,
  ) {}

  onModuleInit(): void {
    const { schedule } = this.config.getOrThrow<PullConfig>('pull');
    const { accounts } = this.config.getOrThrow<ZohoConfig>('zoho');
    for (const { entityType } of schedule) {
      if (!isZohoEntityType(entityType)) {
        throw new Error(`Invalid configuration:\n  TDS_PULL_SCHEDULE: ${entityType} is not pulled from Zoho; pulled are ${ZOHO_ENTITY_TYPES.join(', ')}`);
      }
    }
    for (const account of accounts) {
      for (const { entityType, intervalSeconds } of schedule) {
        this.scheduler.register(this.job(account.source, account.name, entityType, intervalSeconds));
      }
    }
  }

  private job(source: string, account: string, entityType: string, intervalSeconds: number): ScheduledJob {
    return {
      name: `pull.${account}.${entityType}`,
      intervalSeconds,
      run: async () => {
        try {
          const run = await this.commandBus.execute(new StartPullRunCommand(source, entityType, 'incremental', account));
          return { syncRunId: run.id };
        } catch (error) {
          if (error instanceof PullInProgressError) return { skipped: error.message };
          throw error;
        }
      },
    };
  }
}
