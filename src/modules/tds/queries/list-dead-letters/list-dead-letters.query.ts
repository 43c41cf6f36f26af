import { Query } from '@nestjs/cqrs';
import type { DeadLetterPageDto } from './list-dead-letters.dto.js';

export interface ListDeadLettersFilters {
  entityType?: string;
  errorCode?: string;
  /** true: closed (resolved or replayed); false: open. */
  resolved?: boolean;
  /** The previous page's nextCursor. */
  cursor?: string;
  /** Default 50, at most 200. */
  limit?: number;
}

/** One keyset page of dead letters, newest first; an invalid cursor fails with VALIDATION_FAILED. */
export class ListDeadLettersQuery extends Query<DeadLetterPageDto> {
  constructor(readonly filters: ListDeadLettersFilters = {}) {
    super();
  }
}
