import { OUTBOX_ROW_COLUMNS } from './outbox-publisher.js';

/**
 * Takes the oldest undispatched outbox rows and marks them dispatched, inside the relay's
 * transaction: the rows stay locked until the relay has published them and commits, so each
 * row is relayed by one instance at a time (SKIP LOCKED), and a crash before the commit
 * leaves them undispatched for the next pass (at least once). Reading "dispatched_at IS
 * NULL" rather than "id > last seen" finds rows whose transaction committed after a later id's.
 * Only the event types this build knows are taken: during a rolling deploy, a type written by a
 * newer instance waits for an instance that can publish it.
 * `id >= $3` lets the relay start after what it has just dispatched: the index entries of
 * dispatched rows stay until vacuum, and walking them from the start on every pass made a long
 * backlog quadratic (262 ms per 500-row pass at 50,000 behind) and cost every small pass under
 * a steady trickle. The relay scans from 0 again once a second, which is when a row that
 * committed late below the floor is found: such a row waits at most that much longer.
 */
export const CLAIM_OUTBOX_SQL = `
UPDATE tds_outbox o
SET dispatched_at = clock_timestamp()
WHERE o.id IN (
  SELECT id FROM tds_outbox
  WHERE dispatched_at IS NULL AND event_type = ANY ($2::text[]) AND id >= $3
  ORDER BY id
  LIMIT $1
  FOR UPDATE SKIP LOCKED
)
RETURNING ${OUTBOX_ROW_COLUMNS}`;

/**
 * The claim must walk the pending index in id order and stop after $1 rows. A table that grew
 * fast since it was last analyzed (a fresh database, a burst: autovacuum looks once a minute)
 * looks nearly empty to the planner, which then reads and sorts every pending row instead, on
 * every pass: measured, a 100,000-event backlog went from ~12 ms to ~180 ms per pass. Sorting
 * and bitmap scans are switched off for the claim's transaction only.
 * Nor does the claim wait for its commit to reach the disk: a dispatch mark lost in a crash
 * only makes the rows go out again, and the reactions' receipts make that a no-op.
 */
export const CLAIM_SETTINGS_SQL = `SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off; SET LOCAL synchronous_commit = off`;
