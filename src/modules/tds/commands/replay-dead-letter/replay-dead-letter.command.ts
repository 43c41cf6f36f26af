/** Puts a dead letter back on the queue as a new item with fresh attempts. */
export class ReplayDeadLetterCommand {
  constructor(
    readonly deadLetterId: number,
    /** Who asked: recorded on the dead letter and in the replayed event. */
    readonly replayedBy: string,
  ) {}
}

export interface ReplayDeadLetterResult {
  deadLetterId: number;
  queueItemId: number;
  replayedAt: string;
}
