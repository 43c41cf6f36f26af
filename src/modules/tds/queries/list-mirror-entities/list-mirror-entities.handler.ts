import { QueryHandler } from '@nestjs/cqrs';
import type { IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { queryRows } from '../../../../shared/database/sql.js';
import { decodeCursor, encodeCursor } from '../../../../shared/pagination/keyset-cursor.js';
import { ListMirrorEntitiesQuery } from './list-mirror-entities.query.js';
import type { MirrorEntity, MirrorEntityPage } from './list-mirror-entities.query.js';
import { LIST_MIRROR_ENTITIES_SQL } from './list-mirror-entities.sql.js';

const MAX_LIMIT = 5000;

const isEntityKey = (key: unknown[]) => key.length === 3 && key.every((part) => typeof part === 'string');

@QueryHandler(ListMirrorEntitiesQuery)
export class ListMirrorEntitiesHandler implements IQueryHandler<ListMirrorEntitiesQuery, MirrorEntityPage> {
  constructor(private readonly dataSource: DataSource) {}

  async execute({ params: { entityTypes, after, limit } }: ListMirrorEntitiesQuery): Promise<MirrorEntityPage> {
    const size = Math.min(Math.max(1, Math.trunc(limit)), MAX_LIMIT);
    const [source, entityType, sourceEntityId] = after ? decodeCursor<[string, string, string]>(after, 'after', isEntityKey) : [null, null, null];
    const items = await queryRows<MirrorEntity>(this.dataSource, LIST_MIRROR_ENTITIES_SQL, [entityTypes, source, entityType, sourceEntityId, size]);
    const last = items[items.length - 1];
    return { items, nextCursor: items.length === size ? encodeCursor([last.source, last.entityType, last.sourceEntityId]) : null };
  }
}
