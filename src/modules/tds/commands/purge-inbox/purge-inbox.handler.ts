import { CommandHandler } from '@nestjs/cqrs';
import type { ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { queryRows } from '../../../../shared/database/sql.js';
import { PurgeInboxCommand } from './purge-inbox.command.js';
import type { PurgeInboxResult } from './purge-inbox.command.js';
import { PURGE_INBOX_BATCH_SQL } from './purge-inbox.sql.js';

@CommandHandler(PurgeInboxCommand)
export class PurgeInboxHandler implements ICommandHandler<PurgeInboxCommand, PurgeInboxResult> {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Batches until one comes back short: what is left is then kept on purpose (or held by
   * another purge). The cutoff is fixed at the start, so the run ends even while deliveries
   * keep arriving; it is on the application's clock, like received_at.
   */
  async execute({ olderThanSeconds, batchSize }: PurgeInboxCommand): Promise<PurgeInboxResult> {
    // A batch of 0 would never come back short.
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be a positive integer');
    if (!(olderThanSeconds >= 0)) throw new RangeError('olderThanSeconds must not be negative');
    const cutoff = new Date(Date.now() - olderThanSeconds * 1000);
    let deleted = 0;
    let batches = 0;
    for (;;) {
      // Autocommit: each batch is its own transaction, committed before the next begins.
      const rows = await queryRows<{ id: number }>(this.dataSource, PURGE_INBOX_BATCH_SQL, [cutoff, batchSize]);
      batches += 1;
      deleted += rows.length;
      if (rows.length < batchSize) return { deleted, batches };
    }
  }
}
