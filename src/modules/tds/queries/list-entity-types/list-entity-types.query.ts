import { Query } from '@nestjs/cqrs';
import type { EntityTypeStatusDto } from './list-entity-types.dto.js';

/** Every entity type the processors know, with its mirror, backlog and last day's outcomes. */
export class ListEntityTypesQuery extends Query<EntityTypeStatusDto[]> {}
