import { Query } from '@nestjs/cqrs';
import type { ReactionFailureDto } from './list-reaction-failures.dto.js';

/** Open reaction failures (waiting for a retry, or exhausted and waiting for someone), newest first. */
export class ListReactionFailuresQuery extends Query<ReactionFailureDto[]> {
  constructor(readonly filter: { reaction?: string; exhaustedOnly?: boolean; limit?: number } = {}) {
    super();
  }
}
