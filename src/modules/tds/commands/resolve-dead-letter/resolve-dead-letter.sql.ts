/**
 * Closes an open dead letter and writes its tds.deadletter.resolved event in the same statement,
 * waking the outbox relay at commit, so every instance's readers of dead-letter state (the BFF
 * cache) hear of it. No row when it is unknown or already closed.
 * $1 dead letter id, $2 who, $3 the note.
 */
export const RESOLVE_DEAD_LETTER_SQL = `
WITH resolved AS (
  UPDATE tds_dead_letters SET resolved_at = clock_timestamp(), resolved_by = $2, resolution_note = $3
  WHERE id = $1 AND resolved_at IS NULL
  RETURNING id, resolved_at
), event AS (
  INSERT INTO tds_outbox (event_type, correlation_id, causation_id, payload)
  SELECT 'tds.deadletter.resolved', 'dead-letter:' || id, 'dead-letter:' || id, jsonb_build_object('deadLetterId', id, 'resolvedBy', $2::text)
  FROM resolved
)
SELECT resolved_at AS "resolvedAt", pg_notify('tds_outbox', '') AS notified FROM resolved`;
