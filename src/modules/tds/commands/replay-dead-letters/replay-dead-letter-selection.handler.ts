import { CommandBus, CommandHandler, QueryBus } from '@nestjs/cqrs';
import type { ICommandHandler } from '@nestjs/cqrs';
import { FindOpenDeadLetterIdsQuery } from '../../queries/find-open-dead-letter-ids/find-open-dead-letter-ids.query.js';
import type { OpenDeadLetterIds } from '../../queries/find-open-dead-letter-ids/find-open-dead-letter-ids.query.js';
import { ReplayDeadLetterSelectionCommand } from './replay-dead-letter-selection.command.js';
import type { ReplaySelectionResult } from './replay-dead-letter-selection.command.js';
import { ReplayDeadLettersCommand } from './replay-dead-letters.command.js';
import type { ReplayDeadLettersResult } from './replay-dead-letters.command.js';
import { MAX_REPLAY_BATCH } from './replay-dead-letters.dto.js';

@CommandHandler(ReplayDeadLetterSelectionCommand)
export class ReplayDeadLetterSelectionHandler implements ICommandHandler<ReplayDeadLetterSelectionCommand, ReplaySelectionResult> {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  async execute({ selection, replayedBy }: ReplayDeadLetterSelectionCommand): Promise<ReplaySelectionResult> {
    // The filter picks open ids first; the replay then takes those still open when it locks
    // them (a concurrent replay or resolve turns the others into skipped).
    const { ids, more }: OpenDeadLetterIds = selection.ids
      ? { ids: [...selection.ids], more: false }
      : await this.queryBus.execute(new FindOpenDeadLetterIdsQuery(selection.filter, MAX_REPLAY_BATCH));
    const result: ReplayDeadLettersResult = await this.commandBus.execute(new ReplayDeadLettersCommand(ids, replayedBy));
    return { syncRunId: result.syncRunId, replayed: result.replayed.length, skipped: result.skipped, more };
  }
}
