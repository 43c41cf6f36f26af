import { Query } from '@nestjs/cqrs';
import type { EntityTypeStatusDto } from './list-entity-types.dto.js';

/**
 * Every entity type the processors know, with its mirror, backlog and last day's outcomes.
 * `mirrorCounts: false` leaves the mirror uncounted (`mirrored` null): the one part whose cost
 * grows with the mirror (~40 ms per 100,000 records), which a screen polled every few seconds
 * (the BFF dashboard) does without.
 */
export class ListEntityTypesQuery extends Query<EntityTypeStatusDto[]> {
  constructor(readonly options: { mirrorCounts: boolean } = { mirrorCounts: true }) {
    super();
  }
}
