import { SYNC_RUN_COLUMNS } from '../get-sync-run/get-sync-run.sql.js';

/**
 * One page, newest first, keyed on (created_at, id): created_at never changes (started_at would
 * move a pull run that starts after it was listed, and a page would skip or repeat it), and a
 * run made while a client pages sorts before its cursor, so later pages never see it. Unfiltered,
 * the walk is tds_sync_runs_created_idx from the cursor on; with a status or entity type it is
 * that filter's (…, created_at DESC, id DESC) index, so a rare status among 10k+ runs does not
 * walk them all. `since` also bounds the walk by created_at: bulk and replay runs start as they
 * are made, so the two agree; a run made before `since` that started after it is left out.
 * `cursorAt` is created_at as ISO-8601 text with its microseconds (a JS Date would round it to
 * milliseconds and skip or repeat rows at the page edge), in UTC whatever the session's settings.
 * $1 status, $2 kind, $3 entity type, $4 since, $5/$6 the cursor's (created_at, id) or nulls, $7 limit.
 */
export const LIST_SYNC_RUNS_SQL = `
SELECT ${SYNC_RUN_COLUMNS}, to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "cursorAt"
FROM tds_sync_runs r
WHERE ($1::text IS NULL OR r.status = $1)
  AND ($2::text IS NULL OR r.kind = $2)
  AND ($3::text IS NULL OR r.entity_type = $3)
  AND ($4::timestamptz IS NULL OR (r.created_at >= $4 AND r.started_at >= $4))
  AND ($5::timestamptz IS NULL OR (r.created_at, r.id) < ($5::timestamptz, $6::bigint))
ORDER BY r.created_at DESC, r.id DESC
LIMIT $7`;
