import { Injectable } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { CommandBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import type { JobsConfig } from '../../../shared/config/jobs.config.js';
import type { OutboxConfig } from '../../../shared/config/outbox.config.js';
import { queryRows } from '../../../shared/database/sql.js';
import { ReplayDeadLettersCommand } from '../commands/replay-dead-letters/replay-dead-letters.command.js';
import { RETRY_JOB_ACTOR } from '../domain/queue-item.js';
import { ReactionRedeliveryService } from '../reactions/reaction-redelivery.service.js';
import { JobScheduler } from './job-scheduler.js';
import { DUE_DEAD_LETTERS_SQL } from './retry.sql.js';
import type { ScheduledJob } from './scheduled-job.js';


/** A type, not an interface: the scheduler stores it as a run's detail, a Record. */
export type RetryDetail = {
  deadLetters: { replayed: number; skipped: number; syncRunIds: number[] };
  /** Events delivered again to reactions; null where this instance publishes no events (relay disabled). */
  reactionsRedelivered: number | null;
};

/**
 * Retries what failed for a reason that may pass: transient dead letters, replayed by policy
 * (TDS_DLQ_AUTO_RETRY_*), a batch per replay run; and reaction failures whose retry is due
 * (failures are leased, so this is safe beside every instance's own sweep). Not the sweep's
 * lost-delivery scan: that is not leased, and each instance's sweep already runs it.
 */
@Injectable()
export class RetryJob implements ScheduledJob, OnModuleInit {
  readonly name = 'maintenance.retry';
  readonly intervalSeconds: number;
  private readonly policy: JobsConfig['retry'];
  private readonly relayEnabled: boolean;

  constructor(
    config: ConfigService,
    private readonly scheduler: JobScheduler,
    private readonly dataSource: DataSource,
    private readonly commandBus: CommandBus,
    private readonly redelivery: ReactionRedeliveryService,
  ) {
    this.policy = config.getOrThrow<JobsConfig>('jobs').retry;
    this.intervalSeconds = this.policy.intervalSeconds;
    this.relayEnabled = config.getOrThrow<OutboxConfig>('outbox').relayEnabled;
  }

  onModuleInit(): void {
    this.scheduler.register(this);
  }

  async run(): Promise<RetryDetail> {
    const deadLetters = await this.replayDueDeadLetters();
    // Like the sweep's own timer: events are published only where the relay runs.
    const reactionsRedelivered = this.relayEnabled ? await this.redelivery.retryDueFailures() : null;
    return { deadLetters, reactionsRedelivered };
  }

  private async replayDueDeadLetters(): Promise<RetryDetail['deadLetters']> {
    const { afterSeconds, maxAutoReplays, batchSize } = this.policy;
    const total = { replayed: 0, skipped: 0, syncRunIds: [] as number[] };
    // The application's clock, as retention's cutoffs: a few seconds of skew against the
    // database's created_at are nothing beside a wait of minutes.
    const createdBefore = new Date(Date.now() - afterSeconds * 1000);
    let cursor = { createdAt: '-infinity', id: 0 };
    for (;;) {
      const due = await queryRows<{ id: number; createdAt: string }>(this.dataSource, DUE_DEAD_LETTERS_SQL, [
        createdBefore,
        maxAutoReplays,
        cursor.createdAt,
        cursor.id,
        batchSize,
      ]);
      if (due.length === 0) return total;
      const result = await this.commandBus.execute(new ReplayDeadLettersCommand(due.map((row) => row.id), RETRY_JOB_ACTOR));
      total.replayed += result.replayed.length;
      total.skipped += result.skipped.length;
      if (result.syncRunId !== null) total.syncRunIds.push(result.syncRunId);
      if (due.length < batchSize) return total;
      const last = due[due.length - 1];
      cursor = { createdAt: last.createdAt, id: last.id };
    }
  }
}
