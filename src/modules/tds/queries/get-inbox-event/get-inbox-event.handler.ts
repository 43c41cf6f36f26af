import { QueryHandler } from '@nestjs/cqrs';
import type { IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { queryRows } from '../../../../shared/database/sql.js';
import { NotFoundError } from '../../../../shared/errors/domain-error.js';
import type { InboxEventDto } from './get-inbox-event.dto.js';
import { GetInboxEventQuery } from './get-inbox-event.query.js';

/**
 * The delivery and what became of it, in one round trip. Queue items are found through the
 * partial index on tds_sync_queue (inbox_event_id); json_build_object keeps their bigints as
 * JSON numbers.
 */
const GET_INBOX_EVENT_SQL = `
SELECT e.id, e.source, e.entity_type AS "entityType", e.source_entity_id AS "sourceEntityId", e.operation,
       e.version, e.idempotency_key AS "idempotencyKey", e.content_hash AS "contentHash", e.status,
       e.validation_errors AS "validationErrors", e.received_at AS "receivedAt",
       e.signature_verified AS "signatureVerified", e.headers,
       COALESCE((SELECT json_agg(json_build_object(
                          'id', q.id, 'entityType', q.entity_type, 'sourceEntityId', q.source_entity_id,
                          'operation', q.operation, 'version', q.version, 'status', q.status,
                          'attempt', q.attempt, 'lastError', q.last_error, 'errorCode', q.error_code)
                        ORDER BY q.id)
                 FROM tds_sync_queue q
                 WHERE q.inbox_event_id = e.id), '[]'::json) AS "queueItems"
FROM tds_inbox_events e
WHERE e.id = $1`;

type Row = Omit<InboxEventDto, 'receivedAt'> & { receivedAt: Date };

export class InboxEventNotFoundError extends NotFoundError {
  constructor(id: number) {
    super('INBOX.NOT_FOUND', `Inbox event ${id} does not exist (or was removed by retention)`);
  }
}

@QueryHandler(GetInboxEventQuery)
export class GetInboxEventHandler implements IQueryHandler<GetInboxEventQuery, InboxEventDto> {
  constructor(private readonly dataSource: DataSource) {}

  async execute({ id }: GetInboxEventQuery): Promise<InboxEventDto> {
    const [row] = await queryRows<Row>(this.dataSource, GET_INBOX_EVENT_SQL, [id]);
    if (!row) throw new InboxEventNotFoundError(id);
    return { ...row, receivedAt: row.receivedAt.toISOString() };
  }
}
