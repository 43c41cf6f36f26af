/**
 * An open dead letter (not resolved, not replayed yet), locked: two concurrent replays of one
 * dead letter yield one new item, the second finds it replayed.
 */
export const LOCK_OPEN_DEAD_LETTER_SQL = `
SELECT source, inbox_event_id AS "inboxEventId", entity_type AS "entityType",
       source_entity_id AS "sourceEntityId", operation, version, last_payload AS payload
FROM tds_dead_letters
WHERE id = $1 AND resolved_at IS NULL AND replayed_at IS NULL
FOR UPDATE`;

/**
 * Links the dead letter to its replay ($2 the new queue item, $3 who) and writes the replayed
 * event, waking the relay at commit.
 */
export const MARK_REPLAYED_SQL = `
WITH marked AS (
  UPDATE tds_dead_letters
  SET replayed_at = clock_timestamp(), replayed_by = $3, replay_queue_item_id = $2
  WHERE id = $1
  RETURNING id, replay_queue_item_id, replayed_at
), event AS (
  INSERT INTO tds_outbox (event_type, correlation_id, causation_id, payload)
  SELECT 'tds.deadletter.replayed', 'dead-letter:' || m.id, 'dead-letter:' || m.id,
         jsonb_build_object('deadLetterId', m.id, 'queueItemId', m.replay_queue_item_id, 'replayedBy', $3::text)
  FROM marked m
)
SELECT m.replayed_at AS "replayedAt", pg_notify('tds_outbox', '') FROM marked m`;
