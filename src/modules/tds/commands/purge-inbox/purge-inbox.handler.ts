import { CommandHandler } from '@nestjs/cqrs';
import type { ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { deleteInBatches } from '../../../../shared/database/delete-in-batches.js';
import { PurgeInboxCommand } from './purge-inbox.command.js';
import type { PurgeInboxResult } from './purge-inbox.command.js';
import { PURGE_INBOX_BATCH_SQL } from './purge-inbox.sql.js';

@CommandHandler(PurgeInboxCommand)
export class PurgeInboxHandler implements ICommandHandler<PurgeInboxCommand, PurgeInboxResult> {
  constructor(private readonly dataSource: DataSource) {}

  execute({ olderThanSeconds, batchSize }: PurgeInboxCommand): Promise<PurgeInboxResult> {
    return deleteInBatches(this.dataSource, PURGE_INBOX_BATCH_SQL, olderThanSeconds, batchSize);
  }
}
