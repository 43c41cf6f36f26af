import { QueryHandler } from '@nestjs/cqrs';
import type { IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { queryRows } from '../../../../shared/database/sql.js';
import { QUEUE_STATUSES } from '../../domain/queue-item.js';
import type { QueueStatus } from '../../domain/queue-item.js';
import type { QueueStatsDto } from './get-queue-stats.dto.js';
import { GetQueueStatsQuery } from './get-queue-stats.query.js';

/**
 * Two reads in one statement. The waiting work (due now, oldest pending) reads only the rows
 * of `status IN ('pending', 'retry')`, the predicate of the partial index
 * tds_sync_queue_run_open_idx, so its cost follows the backlog, not the history. The counts per
 * status are one grouped pass over the table, whose size retention bounds. Ages use the
 * database clock, the one every instance shares.
 */
const GET_QUEUE_STATS_SQL = `
SELECT
  (SELECT COALESCE(jsonb_object_agg(status, n), '{}'::jsonb)
   FROM (SELECT status, count(*)::int AS n FROM tds_sync_queue GROUP BY status) s) AS "byStatus",
  w."dueNow", w."oldestPendingAgeSeconds"
FROM (
  SELECT count(*) FILTER (WHERE next_attempt_at <= now())::int AS "dueNow",
         EXTRACT(EPOCH FROM now() - min(created_at) FILTER (WHERE status = 'pending'))::float8 AS "oldestPendingAgeSeconds"
  FROM tds_sync_queue
  WHERE status IN ('pending', 'retry')
) w`;

@QueryHandler(GetQueueStatsQuery)
export class GetQueueStatsHandler implements IQueryHandler<GetQueueStatsQuery, QueueStatsDto> {
  constructor(private readonly dataSource: DataSource) {}

  async execute(): Promise<QueueStatsDto> {
    const [row] = await queryRows<{ byStatus: Partial<Record<QueueStatus, number>>; dueNow: number; oldestPendingAgeSeconds: number | null }>(
      this.dataSource,
      GET_QUEUE_STATS_SQL,
    );
    const byStatus = Object.fromEntries(QUEUE_STATUSES.map((status) => [status, row.byStatus[status] ?? 0])) as Record<QueueStatus, number>;
    return { byStatus, dueNow: row.dueNow, oldestPendingAgeSeconds: row.oldestPendingAgeSeconds };
  }
}
