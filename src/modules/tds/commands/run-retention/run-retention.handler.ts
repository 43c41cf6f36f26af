import { CommandBus, CommandHandler } from '@nestjs/cqrs';
import type { ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { deleteInBatches } from '../../../../shared/database/delete-in-batches.js';
import { DurableReactions } from '../../../../shared/reactions/durable-reactions.js';
import { PurgeInboxCommand } from '../purge-inbox/purge-inbox.command.js';
import { RunRetentionCommand } from './run-retention.command.js';
import type { RetentionResult, TableRetention } from './run-retention.command.js';
import {
  DELETE_CLOSED_DEAD_LETTERS_SQL,
  DELETE_DISPATCHED_OUTBOX_SQL,
  DELETE_FINISHED_QUEUE_ITEMS_SQL,
  DELETE_JOB_RUNS_SQL,
  DELETE_METRICS_SQL,
  DELETE_REACTION_RECEIPTS_SQL,
  DELETE_RESOLVED_ALERTS_SQL,
  DELETE_RESOLVED_REACTION_FAILURES_SQL,
} from './run-retention.sql.js';

@CommandHandler(RunRetentionCommand)
export class RunRetentionHandler implements ICommandHandler<RunRetentionCommand, RetentionResult> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly commandBus: CommandBus,
    private readonly reactions: DurableReactions,
  ) {}

  /** Table by table, each in small batches (deleteInBatches), its cutoff fixed when it starts. */
  async execute({ policy }: RunRetentionCommand): Promise<RetentionResult> {
    const { batchSize } = policy;
    const purge = (sql: string, olderThanSeconds: number) => deleteInBatches(this.dataSource, sql, olderThanSeconds, batchSize);
    return {
      inbox: await this.commandBus.execute(new PurgeInboxCommand(policy.inboxSeconds, batchSize)),
      queueItems: await purge(DELETE_FINISHED_QUEUE_ITEMS_SQL, policy.queueSeconds),
      deadLetters: await purge(DELETE_CLOSED_DEAD_LETTERS_SQL, policy.deadLettersSeconds),
      // The outbox keeps what the registered reactions' sweeps have not checked yet.
      outbox: await deleteInBatches(this.dataSource, DELETE_DISPATCHED_OUTBOX_SQL, policy.outboxSeconds, batchSize, [
        this.reactions.registrations.map((r) => r.name),
      ]),
      reactionReceipts: await purge(DELETE_REACTION_RECEIPTS_SQL, policy.outboxSeconds),
      reactionFailures: await purge(DELETE_RESOLVED_REACTION_FAILURES_SQL, policy.reactionFailuresSeconds),
      metrics: await purge(DELETE_METRICS_SQL, policy.metricsSeconds),
      jobRuns: await purge(DELETE_JOB_RUNS_SQL, policy.jobRunsSeconds),
      alerts: await purge(DELETE_RESOLVED_ALERTS_SQL, policy.alertsSeconds),
    };
  }
}
