/**
 * The oldest open dead letters matching the filter: a bulk replay takes them in the order they
 * failed. LIMIT bounds the walk along tds_dead_letters_waiting_idx (or the entity type / error
 * code index, filtered by the same predicate), so an outage's worth of dead letters is never
 * read at once; the open predicate must stay the waiting index's word for word.
 * $1 entity type, $2 error code (NULL: any), $3 rows to read.
 */
export const FIND_OPEN_DEAD_LETTER_IDS_SQL = `
SELECT d.id
FROM tds_dead_letters d
WHERE d.resolved_at IS NULL AND d.replayed_at IS NULL
  AND ($1::text IS NULL OR d.entity_type = $1::text)
  AND ($2::text IS NULL OR d.error_code = $2::text)
ORDER BY d.created_at, d.id
LIMIT $3`;
