import { QueryHandler } from '@nestjs/cqrs';
import type { IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { ValidationFailedError } from '../../../../shared/errors/domain-error.js';
import { queryRows } from '../../../../shared/database/sql.js';
import { ListMirrorEntitiesQuery } from './list-mirror-entities.query.js';
import type { MirrorEntity, MirrorEntityPage } from './list-mirror-entities.query.js';
import { LIST_MIRROR_ENTITIES_SQL } from './list-mirror-entities.sql.js';

const MAX_LIMIT = 5000;

/** The cursor is the last key of a page, opaque to callers. */
const encodeCursor = (e: MirrorEntity) => Buffer.from(JSON.stringify([e.source, e.entityType, e.sourceEntityId])).toString('base64url');

function decodeCursor(cursor: string): [string, string, string] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === 3 && key.every((part) => typeof part === 'string')) return key as [string, string, string];
  } catch {
    // reported below
  }
  throw new ValidationFailedError([{ path: 'after', message: 'after must be a cursor returned by a previous page' }]);
}

@QueryHandler(ListMirrorEntitiesQuery)
export class ListMirrorEntitiesHandler implements IQueryHandler<ListMirrorEntitiesQuery, MirrorEntityPage> {
  constructor(private readonly dataSource: DataSource) {}

  async execute({ params: { entityTypes, after, limit } }: ListMirrorEntitiesQuery): Promise<MirrorEntityPage> {
    const size = Math.min(Math.max(1, Math.trunc(limit)), MAX_LIMIT);
    const [source, entityType, sourceEntityId] = after ? decodeCursor(after) : [null, null, null];
    const items = await queryRows<MirrorEntity>(this.dataSource, LIST_MIRROR_ENTITIES_SQL, [entityTypes, source, entityType, sourceEntityId, size]);
    return { items, nextCursor: items.length === size ? encodeCursor(items[items.length - 1]) : null };
  }
}
