import { QueryHandler } from '@nestjs/cqrs';
import type { IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { queryRows } from '../../../../shared/database/sql.js';
import { NotFoundError } from '../../../../shared/errors/domain-error.js';
import { APPLIED_STATUSES } from '../../domain/queue-item.js';
import type { QueueItemDto } from './get-queue-item.dto.js';
import { GetQueueItemQuery } from './get-queue-item.query.js';

type Row = Omit<
  QueueItemDto,
  'appliedVersion' | 'id' | 'version' | 'syncRunId' | 'inboxEventId' | 'nextAttemptAt' | 'createdAt' | 'startedAt' | 'completedAt'
> & {
  // bigint: a string from pg, a number from PGlite
  id: string | number;
  version: string | number;
  syncRunId: string | number | null;
  inboxEventId: string | number | null;
  nextAttemptAt: Date;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
};

const GET_QUEUE_ITEM_SQL = `
SELECT id, source, entity_type AS "entityType", source_entity_id AS "sourceEntityId", operation, version,
       priority, status, attempt, max_attempts AS "maxAttempts", last_error AS "lastError",
       error_code AS "errorCode", next_attempt_at AS "nextAttemptAt", created_at AS "createdAt",
       started_at AS "startedAt", completed_at AS "completedAt", sync_run_id AS "syncRunId",
       inbox_event_id AS "inboxEventId"
FROM tds_sync_queue
WHERE id = $1`;

const toNumber = (value: string | number | null) => (value === null ? null : Number(value));
const toIso = (value: Date | null) => (value === null ? null : new Date(value).toISOString());

@QueryHandler(GetQueueItemQuery)
export class GetQueueItemHandler implements IQueryHandler<GetQueueItemQuery, QueueItemDto> {
  constructor(private readonly dataSource: DataSource) {}

  async execute({ id }: GetQueueItemQuery): Promise<QueueItemDto> {
    const [row] = await queryRows<Row>(this.dataSource, GET_QUEUE_ITEM_SQL, [id]);
    if (!row) throw new NotFoundError('QUEUE.ITEM_NOT_FOUND', `Queue item ${id} does not exist`);
    const version = Number(row.version);
    return {
      ...row,
      id: Number(row.id),
      version,
      syncRunId: toNumber(row.syncRunId),
      inboxEventId: toNumber(row.inboxEventId),
      nextAttemptAt: new Date(row.nextAttemptAt).toISOString(),
      createdAt: new Date(row.createdAt).toISOString(),
      startedAt: toIso(row.startedAt),
      completedAt: toIso(row.completedAt),
      appliedVersion: APPLIED_STATUSES.includes(row.status) ? version : null,
    };
  }
}
