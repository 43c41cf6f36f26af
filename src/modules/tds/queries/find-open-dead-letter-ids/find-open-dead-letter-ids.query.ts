import { Query } from '@nestjs/cqrs';

export interface OpenDeadLetterIds {
  /** Oldest first, at most `limit`. */
  ids: number[];
  /** Whether more open dead letters match than `limit`. */
  more: boolean;
}

/** The open dead letters (neither resolved nor replayed) matching a filter, oldest first, bounded. */
export class FindOpenDeadLetterIdsQuery extends Query<OpenDeadLetterIds> {
  constructor(
    readonly filter: { entityType?: string; errorCode?: string },
    readonly limit: number,
  ) {
    super();
  }
}
