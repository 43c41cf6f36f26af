import { Command } from '@nestjs/cqrs';

export interface ReplayDeadLettersResult {
  /** The replay run the new items belong to; null when none of the ids was open. */
  syncRunId: number | null;
  /** In dead letter id order. */
  replayed: { deadLetterId: number; queueItemId: number }[];
  /** Ids not replayed: unknown, resolved, replayed already, or being replayed or resolved right now. */
  skipped: number[];
}

/**
 * Puts many dead letters back on the queue at once, as one sync run of kind `replay` whose
 * counters and closing event say how the replays went. Each id is replayed by exactly one
 * caller however many replay it concurrently; the others report it skipped. Sent by the BFF
 * (an operator) and by the retry job (`tds:retry-job`).
 */
export class ReplayDeadLettersCommand extends Command<ReplayDeadLettersResult> {
  constructor(
    readonly deadLetterIds: readonly number[],
    /** Who asked: recorded on each dead letter and in its replayed event. */
    readonly replayedBy: string,
  ) {
    super();
  }
}
