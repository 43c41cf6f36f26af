import { OUTBOX_ROW_COLUMNS } from '../outbox/outbox-publisher.js';

/**
 * Failures due for their next attempt, leased to this sweep: their next attempt moves a lease
 * ahead so a concurrent sweep (another instance) skips them, and committed at once so the
 * reaction's own failure path can update the row while it retries. Success resolves the
 * failure; another failure sets its real next attempt with backoff.
 * $1 limit, $2 lease ms.
 */
export const LEASE_DUE_FAILURES_SQL = `
UPDATE tds_reaction_failures f
SET next_attempt_at = now() + make_interval(secs => $2::float8 / 1000), updated_at = now()
WHERE f.id IN (
  SELECT id FROM tds_reaction_failures
  WHERE resolved_at IS NULL AND exhausted_at IS NULL AND next_attempt_at <= now()
  ORDER BY next_attempt_at
  LIMIT $1
  FOR UPDATE SKIP LOCKED
)
RETURNING f.event_id AS "eventId"`;

/**
 * Lost deliveries to one reaction: outbox rows after its cursor, dispatched more than
 * $2 ms ago, of its event (and entity) types, with neither a receipt nor an open failure —
 * e.g. published just before a crash. Also returns how far the cursor may move: up to just
 * before the first scanned row that is not that old yet (undispatched, or dispatched
 * recently), since only such rows can still be delivered normally. The scan reads at most $1
 * rows in id order from the primary key, so each sweep costs the same however long the outbox.
 * A transaction that writes outbox rows and commits more than $2 ms after a later id was
 * dispatched could slip behind the cursor; batch transactions take well under that.
 * $1 scan limit, $2 redeliver-after ms, $3 reaction, $4 event types, $5 entity types (null: all).
 */
export const FIND_LOST_DELIVERIES_SQL = `
WITH cursor AS (
  SELECT COALESCE((SELECT checked_up_to FROM tds_reaction_cursors WHERE reaction = $3), 0) AS at
), scan AS (
  SELECT o.id, o.event_id, o.event_type, o.payload ->> 'entityType' AS entity_type,
         o.dispatched_at < now() - make_interval(secs => $2::float8 / 1000) AS due
  FROM tds_outbox o
  WHERE o.id > (SELECT at FROM cursor)
  ORDER BY o.id
  LIMIT $1
), frontier AS (
  SELECT COALESCE((SELECT min(id) - 1 FROM scan WHERE due IS NOT TRUE), (SELECT max(id) FROM scan), (SELECT at FROM cursor)) AS up_to
)
SELECT f.up_to AS "upTo",
       COALESCE(array_agg(s.event_id) FILTER (WHERE s.event_id IS NOT NULL), '{}') AS "eventIds"
FROM frontier f
LEFT JOIN scan s
  ON s.id <= f.up_to
 AND s.event_type = ANY ($4::text[])
 AND ($5::text[] IS NULL OR s.entity_type = ANY ($5::text[]))
 AND NOT EXISTS (SELECT 1 FROM tds_reaction_receipts r WHERE r.reaction = $3 AND r.event_id = s.event_id)
 AND NOT EXISTS (SELECT 1 FROM tds_reaction_failures x WHERE x.reaction = $3 AND x.event_id = s.event_id AND x.resolved_at IS NULL)
GROUP BY f.up_to`;

/** Never moves back: two instances may sweep at once. $1 reaction, $2 up to. */
export const ADVANCE_CURSOR_SQL = `
INSERT INTO tds_reaction_cursors AS c (reaction, checked_up_to) VALUES ($1, $2)
ON CONFLICT (reaction) DO UPDATE SET checked_up_to = GREATEST(c.checked_up_to, excluded.checked_up_to), updated_at = now()`;

/** $1 event ids. */
export const READ_OUTBOX_BY_EVENT_ID_SQL = `
SELECT ${OUTBOX_ROW_COLUMNS} FROM tds_outbox o WHERE o.event_id = ANY ($1::uuid[]) ORDER BY o.id`;

/**
 * The cursor of a reaction that starts at its registration, set once: just before the first
 * event not dispatched yet (the relay still delivers that one to the reaction), else after the
 * last event. An existing cursor is left alone, so a restart skips nothing.
 * $1 reaction.
 */
export const START_CURSOR_AT_REGISTRATION_SQL = `
INSERT INTO tds_reaction_cursors (reaction, checked_up_to)
SELECT $1, COALESCE((SELECT min(id) - 1 FROM tds_outbox WHERE dispatched_at IS NULL), (SELECT max(id) FROM tds_outbox), 0)
ON CONFLICT (reaction) DO NOTHING`;
