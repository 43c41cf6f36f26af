import { CommandHandler } from '@nestjs/cqrs';
import type { ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import type { QueryRunner } from 'typeorm';
import { queryRows } from '../../../../shared/database/sql.js';
import { QueueItemInserter } from '../../queue/queue-item-inserter.js';
import { deadLetterNotOpen } from '../resolve-dead-letter/dead-letter.errors.js';
import { ReplayDeadLetterCommand } from './replay-dead-letter.command.js';
import type { ReplayDeadLetterResult } from './replay-dead-letter.command.js';
import { LOCK_OPEN_DEAD_LETTER_SQL, MARK_REPLAYED_SQL } from './replay-dead-letter.sql.js';
import type { OpenDeadLetter } from './replay-dead-letter.sql.js';

/**
 * The replay is a new pending queue item with fresh attempts and the last payload, queued the
 * way every item is (QueueItemInserter). Its id is its arrival sequence, so at equal version
 * the replay wins over older deliveries, which is what an operator replaying a fixed item means.
 */
@CommandHandler(ReplayDeadLetterCommand)
export class ReplayDeadLetterHandler implements ICommandHandler<ReplayDeadLetterCommand, ReplayDeadLetterResult> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly inserter: QueueItemInserter,
  ) {}

  async execute({ deadLetterId, replayedBy }: ReplayDeadLetterCommand): Promise<ReplayDeadLetterResult> {
    const replayed = await this.dataSource.transaction(async (manager) => {
      const tx = manager.queryRunner as QueryRunner;
      const [deadLetter] = await queryRows<OpenDeadLetter>(tx, LOCK_OPEN_DEAD_LETTER_SQL, [[deadLetterId]]);
      if (!deadLetter) return undefined;
      const [queueItemId] = await this.inserter.insert(tx, [deadLetter]);
      const [row] = await queryRows<{ replayedAt: Date }>(tx, MARK_REPLAYED_SQL, [[deadLetterId], [queueItemId], replayedBy, null]);
      return { deadLetterId, queueItemId, replayedAt: new Date(row.replayedAt).toISOString() };
    });
    if (!replayed) throw await deadLetterNotOpen(this.dataSource, deadLetterId);
    return replayed;
  }
}
