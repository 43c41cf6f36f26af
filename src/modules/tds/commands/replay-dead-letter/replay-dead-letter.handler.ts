import { CommandHandler } from '@nestjs/cqrs';
import type { ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { queryRows } from '../../../../shared/database/sql.js';
import { ConfigService } from '@nestjs/config';
import type { QueueConfig } from '../../../../shared/config/queue.config.js';
import { deadLetterNotOpen } from '../resolve-dead-letter/dead-letter.errors.js';
import { ReplayDeadLetterCommand } from './replay-dead-letter.command.js';
import type { ReplayDeadLetterResult } from './replay-dead-letter.command.js';
import { REPLAY_DEAD_LETTER_SQL } from './replay-dead-letter.sql.js';

@CommandHandler(ReplayDeadLetterCommand)
export class ReplayDeadLetterHandler implements ICommandHandler<ReplayDeadLetterCommand, ReplayDeadLetterResult> {
  private readonly queue: QueueConfig;

  constructor(
    private readonly dataSource: DataSource,
    config: ConfigService,
  ) {
    this.queue = config.getOrThrow<QueueConfig>('queue');
  }

  async execute({ deadLetterId, replayedBy }: ReplayDeadLetterCommand): Promise<ReplayDeadLetterResult> {
    const [row] = await queryRows<ReplayDeadLetterResult>(this.dataSource, REPLAY_DEAD_LETTER_SQL, [
      deadLetterId,
      replayedBy,
      JSON.stringify(this.queue.maxAttemptsByType),
      this.queue.maxAttempts,
    ]);
    if (row) return { ...row, replayedAt: new Date(row.replayedAt).toISOString() };
    throw await deadLetterNotOpen(this.dataSource, deadLetterId);
  }
}
