import { QueryHandler } from '@nestjs/cqrs';
import type { IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { queryRows } from '../../../../shared/database/sql.js';
import type { ReactionFailureDto } from './list-reaction-failures.dto.js';
import { ListReactionFailuresQuery } from './list-reaction-failures.query.js';

const LIST_OPEN_FAILURES_SQL = `
SELECT reaction, event_id AS "eventId", event_type AS "eventType", attempts, last_error AS "lastError",
       next_attempt_at AS "nextAttemptAt", exhausted_at AS "exhaustedAt", created_at AS "createdAt"
FROM tds_reaction_failures
WHERE resolved_at IS NULL AND ($1::text IS NULL OR reaction = $1) AND (NOT $2 OR exhausted_at IS NOT NULL)
ORDER BY created_at DESC, id DESC
LIMIT $3`;

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

@QueryHandler(ListReactionFailuresQuery)
export class ListReactionFailuresHandler implements IQueryHandler<ListReactionFailuresQuery, ReactionFailureDto[]> {
  constructor(private readonly dataSource: DataSource) {}

  async execute({ filter }: ListReactionFailuresQuery): Promise<ReactionFailureDto[]> {
    const rows = await queryRows<ReactionFailureDto>(this.dataSource, LIST_OPEN_FAILURES_SQL, [
      filter.reaction ?? null,
      filter.exhaustedOnly ?? false,
      filter.limit ?? 100,
    ]);
    return rows.map((row) => ({
      ...row,
      nextAttemptAt: iso(row.nextAttemptAt) as string,
      exhaustedAt: iso(row.exhaustedAt),
      createdAt: iso(row.createdAt) as string,
    }));
  }
}
