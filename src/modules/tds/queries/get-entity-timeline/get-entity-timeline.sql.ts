/** A timestamp as toISOString writes it (UTC, milliseconds), so the events read like every other date of the API. */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * One record's history and its mirrored row, in one statement and one row. Each table is
 * reached by the record through an index, so the cost follows the record's own history, never
 * the tables' (a million finished queue rows): tds_sync_queue_entity_idx,
 * tds_inbox_events_entity_idx and tds_dead_letters_entity_idx (entity_type, source_entity_id);
 * the attempts by the primary key (queue_item_id, attempt); the deliveries that carried the
 * record without being about it (an item's stock levels) by the inbox primary key. The
 * mirror's primary key leads with the source, which the request does not name: a loose index
 * scan lists the sources (one probe each, a handful) and each is probed.
 * Events sort newest first; at one instant, by stage (a delivery before its queue item, a
 * failed attempt before its dead letter), so the newest-first list reads backwards in order.
 * A dead letter is dated by its last attempt's failure (the row's created_at is its
 * transaction's start, before that). Reaction receipts are not in it: they are keyed by outbox
 * event id, and the outbox cannot be searched by record without an index on the hottest insert
 * of the apply path (one outbox row per applied item).
 * $1 entity type, $2 source entity id, $3 limit.
 */
export const GET_ENTITY_TIMELINE_SQL = `
WITH RECURSIVE sources (source) AS (
  SELECT min(source) FROM tds_entities
  UNION ALL
  SELECT (SELECT min(e.source) FROM tds_entities e WHERE e.source > s.source) FROM sources s WHERE s.source IS NOT NULL
), mirrored AS (
  SELECT e.source, e.version, e.deleted, e.content_hash, e.synced_at, e.data
  FROM sources s
  JOIN tds_entities e ON e.source = s.source AND e.entity_type = $1 AND e.source_entity_id = $2
  ORDER BY e.synced_at DESC
  LIMIT 1
), items AS (
  SELECT id, inbox_event_id, sync_run_id, version, status, created_at, completed_at
  FROM tds_sync_queue
  WHERE entity_type = $1 AND source_entity_id = $2
), deliveries AS (
  SELECT e.id, e.version, e.status, e.received_at, e.validation_errors
  FROM tds_inbox_events e
  WHERE e.id IN (SELECT id FROM tds_inbox_events WHERE entity_type = $1 AND source_entity_id = $2
                 UNION
                 SELECT inbox_event_id FROM items WHERE inbox_event_id IS NOT NULL)
), dead AS (
  SELECT d.id, d.queue_item_id, d.version, d.error_code, d.failure_reason, d.created_at, d.resolved_at, d.resolved_by,
         d.resolution_note, d.replayed_at, d.replayed_by, d.replay_queue_item_id, a.failed_at
  FROM tds_dead_letters d
  LEFT JOIN tds_queue_attempts a ON a.queue_item_id = d.queue_item_id AND a.attempt = d.attempts
  WHERE d.entity_type = $1 AND d.source_entity_id = $2
), events (at, stage, id, kind, version, refs, error_code, message) AS (
  SELECT received_at, 0, id, CASE WHEN status = 'invalid' THEN 'delivery_invalid' ELSE 'delivery_received' END, version,
         json_build_object('inboxEventId', id),
         CASE WHEN status = 'invalid' THEN 'VALIDATION_FAILED' END,
         (SELECT string_agg(concat_ws(': ', NULLIF(v ->> 'path', ''), v ->> 'message'), '; ')
          FROM jsonb_array_elements(CASE WHEN jsonb_typeof(validation_errors) = 'array' THEN validation_errors END) v)
  FROM deliveries
  UNION ALL
  SELECT created_at, 1, id, 'queued', version,
         json_strip_nulls(json_build_object('queueItemId', id, 'inboxEventId', inbox_event_id, 'syncRunId', sync_run_id)), NULL, NULL
  FROM items
  UNION ALL
  SELECT a.failed_at, 2, i.id, 'attempt_failed', i.version, json_build_object('queueItemId', i.id, 'attempt', a.attempt), a.error_code, a.error
  FROM items i
  JOIN tds_queue_attempts a ON a.queue_item_id = i.id
  UNION ALL
  SELECT COALESCE(completed_at, created_at), 4, id, CASE WHEN status = 'completed' THEN 'applied' ELSE status END, version,
         json_build_object('queueItemId', id), NULL, NULL
  FROM items
  WHERE status IN ('completed', 'unchanged', 'superseded', 'cancelled')
  UNION ALL
  SELECT COALESCE(failed_at, created_at), 3, id, 'dead_lettered', version,
         json_build_object('deadLetterId', id, 'queueItemId', queue_item_id), error_code, failure_reason
  FROM dead
  UNION ALL
  SELECT resolved_at, 5, id, 'dead_letter_resolved', version, json_build_object('deadLetterId', id), NULL,
         COALESCE(resolution_note, resolved_by)
  FROM dead
  WHERE resolved_at IS NOT NULL
  UNION ALL
  SELECT replayed_at, 5, id, 'dead_letter_replayed', version,
         json_strip_nulls(json_build_object('deadLetterId', id, 'queueItemId', replay_queue_item_id)), NULL, replayed_by
  FROM dead
  WHERE replayed_at IS NOT NULL
), newest AS (
  SELECT * FROM events ORDER BY at DESC, stage DESC, id DESC LIMIT $3
)
SELECT (SELECT json_build_object('source', source, 'version', version, 'deleted', deleted, 'contentHash', content_hash,
                                 'syncedAt', ${iso('synced_at')}, 'data', data)
        FROM mirrored) AS current,
       COALESCE((SELECT json_agg(json_build_object('at', ${iso('at')}, 'kind', kind, 'version', version, 'refs', refs,
                                                   'errorCode', error_code, 'message', message)
                                 ORDER BY at DESC, stage DESC, id DESC)
                 FROM newest), '[]'::json) AS events`;
