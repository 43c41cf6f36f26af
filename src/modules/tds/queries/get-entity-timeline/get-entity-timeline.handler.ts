import { QueryHandler } from '@nestjs/cqrs';
import type { IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { queryRows } from '../../../../shared/database/sql.js';
import { NotFoundError, ValidationFailedError } from '../../../../shared/errors/domain-error.js';
import { GetEntityTimelineQuery } from './get-entity-timeline.query.js';
import type { EntityTimeline } from './get-entity-timeline.query.js';
import { GET_ENTITY_TIMELINE_SQL } from './get-entity-timeline.sql.js';

export const DEFAULT_TIMELINE_LIMIT = 100;
export const MAX_TIMELINE_LIMIT = 500;

export class EntityNotFoundError extends NotFoundError {
  constructor(entityType: string, sourceEntityId: string) {
    super('ENTITY.NOT_FOUND', `TDS has no trace of ${entityType} ${sourceEntityId} (never received, or removed by retention)`);
  }
}

@QueryHandler(GetEntityTimelineQuery)
export class GetEntityTimelineHandler implements IQueryHandler<GetEntityTimelineQuery, EntityTimeline> {
  constructor(private readonly dataSource: DataSource) {}

  async execute({ params: { entityType, sourceEntityId, limit = DEFAULT_TIMELINE_LIMIT } }: GetEntityTimelineQuery): Promise<EntityTimeline> {
    // Checked here too, not only by the route: the BFF sends this query through the bus.
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TIMELINE_LIMIT) {
      throw new ValidationFailedError([{ path: 'limit', message: `limit must be a whole number from 1 to ${MAX_TIMELINE_LIMIT}` }]);
    }
    const [row] = await queryRows<Pick<EntityTimeline, 'current' | 'events'>>(this.dataSource, GET_ENTITY_TIMELINE_SQL, [
      entityType,
      sourceEntityId,
      limit,
    ]);
    if (!row.current && !row.events.length) throw new EntityNotFoundError(entityType, sourceEntityId);
    return { entityType, sourceEntityId, current: row.current, events: row.events };
  }
}
