import type { NewQueueItem } from '../../queue/queue-item-inserter.js';

/** An open dead letter as the queue item that replays it. */
export type OpenDeadLetter = NewQueueItem & { deadLetterId: number };

/** The open dead letters (not resolved, not replayed yet) among $1 (ids), in id order. */
const OPEN_DEAD_LETTERS = `
SELECT id AS "deadLetterId", source, inbox_event_id AS "inboxEventId", entity_type AS "entityType",
       source_entity_id AS "sourceEntityId", operation, version, last_payload AS payload
FROM tds_dead_letters
WHERE id = ANY ($1::bigint[]) AND resolved_at IS NULL AND replayed_at IS NULL
ORDER BY id`;

/**
 * One operator's replay waits for a concurrent action on the same dead letter: the second of
 * two replays then finds it replayed (and says so), instead of guessing why it was locked.
 */
export const LOCK_OPEN_DEAD_LETTER_SQL = `${OPEN_DEAD_LETTERS} FOR UPDATE`;

/**
 * A bulk replay takes what is free and reports the rest as skipped: two overlapping bulk
 * replays (an operator's and the retry job's) never wait for each other, and each dead letter
 * is replayed by exactly one of them. Id order makes the replays' arrival order the dead
 * letters' order.
 */
export const LOCK_OPEN_DEAD_LETTERS_SQL = `${OPEN_DEAD_LETTERS} FOR UPDATE SKIP LOCKED`;

/**
 * Links each dead letter to its replay and writes one replayed event per dead letter, waking
 * the relay at commit. $1 dead letter ids, $2 their new queue items (same order), $3 who,
 * $4 the replay run (null for a single replay): the run is then what started the chain.
 */
export const MARK_REPLAYED_SQL = `
WITH marked AS (
  UPDATE tds_dead_letters d
  SET replayed_at = clock_timestamp(), replayed_by = $3, replay_queue_item_id = r.queue_item_id
  FROM unnest($1::bigint[], $2::bigint[]) AS r (dead_letter_id, queue_item_id)
  WHERE d.id = r.dead_letter_id
  RETURNING d.id, d.replay_queue_item_id, d.replayed_at
), events AS (
  INSERT INTO tds_outbox (event_type, correlation_id, causation_id, payload)
  SELECT 'tds.deadletter.replayed', COALESCE('sync-run:' || $4::bigint, 'dead-letter:' || m.id), 'dead-letter:' || m.id,
         jsonb_build_object('deadLetterId', m.id, 'queueItemId', m.replay_queue_item_id, 'replayedBy', $3::text)
  FROM marked m
  ORDER BY m.id
)
SELECT m.id AS "deadLetterId", m.replayed_at AS "replayedAt", pg_notify('tds_outbox', '')
FROM marked m
ORDER BY m.id`;
