/**
 * One page, newest first, from the cursor on: (created_at, id) below the last row's, so a deep
 * page costs what the first does, and dead letters written meanwhile (newer than the first
 * page) neither shift nor repeat rows. A filter left NULL drops out: the statement is planned
 * with its values, so PostgreSQL folds it away and walks the filter's index in this order
 * (1764800000000-dead-letter-list; open ones: tds_dead_letters_waiting_idx). The open / closed
 * expressions must stay those indexes' predicates word for word. `cursorAt` is created_at as
 * ISO-8601 text with its microseconds (a JS Date would round it to milliseconds and skip or
 * repeat rows at the page edge), in UTC whatever the session's settings.
 * $1 entity type, $2 error code, $3 resolved (true closed, false open), $4/$5 the cursor's
 * (created_at, id) or nulls, $6 rows to read (page + 1).
 */
export const LIST_DEAD_LETTERS_SQL = `
SELECT d.id, d.queue_item_id AS "queueItemId", d.entity_type AS "entityType", d.source_entity_id AS "sourceEntityId",
       d.error_code AS "errorCode", d.failure_reason AS "failureReason", d.attempts, d.created_at AS "createdAt",
       d.resolved_at AS "resolvedAt", d.resolved_by AS "resolvedBy", d.resolution_note AS "resolutionNote",
       d.replayed_at AS "replayedAt", d.replayed_by AS "replayedBy", d.replay_queue_item_id AS "replayQueueItemId",
       to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "cursorAt"
FROM tds_dead_letters d
WHERE ($1::text IS NULL OR d.entity_type = $1::text)
  AND ($2::text IS NULL OR d.error_code = $2::text)
  AND ($3::boolean IS NULL
       OR ($3::boolean AND (d.resolved_at IS NOT NULL OR d.replayed_at IS NOT NULL))
       OR (NOT $3::boolean AND d.resolved_at IS NULL AND d.replayed_at IS NULL))
  AND ($4::timestamptz IS NULL OR (d.created_at, d.id) < ($4::timestamptz, $5::bigint))
ORDER BY d.created_at DESC, d.id DESC
LIMIT $6`;
