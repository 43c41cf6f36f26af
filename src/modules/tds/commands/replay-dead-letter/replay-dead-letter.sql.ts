/**
 * Replays one dead letter in one statement: only an open one (not resolved, not replayed yet;
 * the row lock makes two concurrent replays yield one item), as a new pending queue item with
 * fresh attempts and the last payload, linked from the dead letter, plus the replayed event.
 * Arrival sequence is the new item's id, so at equal version the replay wins over older
 * deliveries, which is what an operator replaying a fixed item means.
 */
export const REPLAY_DEAD_LETTER_SQL = `
WITH dl AS (
  SELECT * FROM tds_dead_letters
  WHERE id = $1 AND resolved_at IS NULL AND replayed_at IS NULL
  FOR UPDATE
), item AS (
  INSERT INTO tds_sync_queue
    (source, inbox_event_id, entity_type, source_entity_id, operation, version, payload, max_attempts)
  SELECT source, inbox_event_id, entity_type, source_entity_id, operation, version, last_payload,
         COALESCE(($3::jsonb ->> entity_type)::int, $4)
  FROM dl
  RETURNING id
), marked AS (
  UPDATE tds_dead_letters d
  SET replayed_at = clock_timestamp(), replayed_by = $2, replay_queue_item_id = (SELECT id FROM item)
  FROM dl WHERE d.id = dl.id
  RETURNING d.id, d.replay_queue_item_id, d.replayed_at
), event AS (
  INSERT INTO tds_outbox (event_type, correlation_id, causation_id, payload)
  SELECT 'tds.deadletter.replayed', 'dead-letter:' || m.id, 'dead-letter:' || m.id,
         jsonb_build_object('deadLetterId', m.id, 'queueItemId', m.replay_queue_item_id, 'replayedBy', $2::text)
  FROM marked m
)
SELECT m.id AS "deadLetterId", m.replay_queue_item_id AS "queueItemId", m.replayed_at AS "replayedAt",
       pg_notify('tds_queue', ''), pg_notify('tds_outbox', '')
FROM marked m`;

