import { CommandHandler } from '@nestjs/cqrs';
import type { ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import type { QueryRunner } from 'typeorm';
import { queryRows } from '../../../../shared/database/sql.js';
import { CREATE_SYNC_RUN_SQL } from '../../queue/create-sync-run.sql.js';
import { QueueItemInserter } from '../../queue/queue-item-inserter.js';
import { LOCK_OPEN_DEAD_LETTERS_SQL, MARK_REPLAYED_SQL } from '../replay-dead-letter/replay-dead-letter.sql.js';
import type { OpenDeadLetter } from '../replay-dead-letter/replay-dead-letter.sql.js';
import { ReplayDeadLettersCommand } from './replay-dead-letters.command.js';
import type { ReplayDeadLettersResult } from './replay-dead-letters.command.js';

/** A run has one source: replays from several are filed under this one. */
export const MIXED_SOURCE = 'mixed';

/** The value every dead letter shares, else undefined. */
function common<K extends 'source' | 'entityType'>(deadLetters: readonly OpenDeadLetter[], key: K): OpenDeadLetter[K] | undefined {
  const first = deadLetters[0][key];
  return deadLetters.every((d) => d[key] === first) ? first : undefined;
}

/**
 * The single replay's steps (ReplayDeadLetterHandler), for many dead letters in one
 * transaction and a fixed number of statements: lock the open ones, start the run, queue the
 * replays with the run as their provenance, mark the dead letters replayed with their events.
 */
@CommandHandler(ReplayDeadLettersCommand)
export class ReplayDeadLettersHandler implements ICommandHandler<ReplayDeadLettersCommand, ReplayDeadLettersResult> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly inserter: QueueItemInserter,
  ) {}

  execute({ deadLetterIds, replayedBy }: ReplayDeadLettersCommand): Promise<ReplayDeadLettersResult> {
    const ids = [...new Set(deadLetterIds)];
    return this.dataSource.transaction(async (manager) => {
      const tx = manager.queryRunner as QueryRunner;
      const open = await queryRows<OpenDeadLetter>(tx, LOCK_OPEN_DEAD_LETTERS_SQL, [ids]);
      const openIds = new Set(open.map((d) => d.deadLetterId));
      const skipped = ids.filter((id) => !openIds.has(id));
      if (open.length === 0) return { syncRunId: null, replayed: [], skipped };

      const [run] = await queryRows<{ id: number }>(tx, CREATE_SYNC_RUN_SQL, [
        'replay',
        common(open, 'source') ?? MIXED_SOURCE,
        common(open, 'entityType') ?? null,
        open.length,
      ]);
      const queueItemIds = await this.inserter.insert(tx, open.map((d) => ({ ...d, syncRunId: run.id })));
      const replayed = open.map((d, i) => ({ deadLetterId: d.deadLetterId, queueItemId: queueItemIds[i] }));
      await queryRows(tx, MARK_REPLAYED_SQL, [
        replayed.map((r) => r.deadLetterId),
        replayed.map((r) => r.queueItemId),
        replayedBy,
        run.id,
      ]);
      return { syncRunId: run.id, replayed, skipped };
    });
  }
}
