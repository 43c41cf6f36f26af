import { Command } from '@nestjs/cqrs';

/** Which dead letters an operator asked to replay: these ids, or the oldest open ones matching a filter. */
export type DeadLetterSelection =
  | { ids: readonly number[]; filter?: undefined }
  | { ids?: undefined; filter: { entityType?: string; errorCode?: string } };

export interface ReplaySelectionResult {
  /** The replay run; null when nothing was replayed. */
  syncRunId: number | null;
  replayed: number;
  /** Ids not replayed: unknown, resolved, replayed already, or being replayed or resolved right now. */
  skipped: number[];
  /** By filter: more open dead letters match than one call replays. Always false by ids. */
  more: boolean;
}

/** An operator's bulk replay (the TDS and BFF routes): at most MAX_REPLAY_BATCH dead letters, as one replay run. */
export class ReplayDeadLetterSelectionCommand extends Command<ReplaySelectionResult> {
  constructor(
    readonly selection: DeadLetterSelection,
    readonly replayedBy: string,
  ) {
    super();
  }
}
