import { RETRY_JOB_ACTOR } from '../../domain/queue-item.js';
import { SYNC_RUN_COLUMNS } from '../../queries/get-sync-run/get-sync-run.sql.js';

/**
 * A cancel takes three statements in one transaction, in this order:
 *
 * 1. READ_SYNC_RUN_SQL: the run, NOT locked, to answer 404 / already cancelled / 409 early.
 * 2. CANCEL_OPEN_ITEMS_SQL: the run's open items become cancelled. This may wait for a worker
 *    batch that holds some of them, so the run must not be locked yet: the batch locks the run
 *    at its end (FINISH_BATCH_SQL), and a cancel holding the run while waiting for the batch's
 *    items would deadlock with it.
 * 3. LOCK_SYNC_RUN_SQL then CLOSE_SYNC_RUN_SQL: the run, locked now, re-checked (a batch may
 *    have closed it meanwhile) and closed with the count of step 2.
 *
 * The cancelled items stay locked until the cancel commits, so no batch claims them in between.
 */

/** The run as it is, without a lock (step 1). $1 run id. */
export const READ_SYNC_RUN_SQL = `SELECT ${SYNC_RUN_COLUMNS} FROM tds_sync_runs r WHERE r.id = $1`;

/**
 * Cancels the run's open items (pending and retry: the predicate of tds_sync_queue_run_open_idx,
 * so only the run's open rows are read) and returns how many ($1 run id).
 *
 * No SKIP LOCKED: a row a worker batch holds is not necessarily being finished by it. The batch
 * may leave it open (deferred because another batch holds its entity row, sent to retry,
 * isolated as a suspect); skipped here, it would stay open and be applied later, counted into
 * a cancelled run. So the update waits for the holder to commit (at most one batch's duration)
 * and, under READ COMMITTED, re-evaluates the WHERE on the row's committed version: a row the
 * batch finished is no longer pending or retry and is left alone (the batch counts it into the
 * run); a row it left open is cancelled. This cannot deadlock with the batch: the batch only
 * touches its own claimed rows (a claim skips rows locked here) and the run row, which the
 * cancel does not hold yet.
 *
 * A cancelled replay gives its dead letters back: they are open again (not replayed), so nothing
 * an operator called off drops out of the dead-letter queue unseen. A replay the retry job made
 * counts as one of its automatic replays (auto_replays + 1): the job's "at most N times" holds,
 * instead of the job replaying the reopened letter again on its next tick after every cancel.
 * (SET expressions read the row's old values, so replayed_by is the replayer before it is cleared.)
 */
export const CANCEL_OPEN_ITEMS_SQL = `
WITH cancelled AS (
  UPDATE tds_sync_queue q SET status = 'cancelled', completed_at = clock_timestamp()
  WHERE q.sync_run_id = $1 AND q.status IN ('pending', 'retry')
  RETURNING q.id
), reopened AS (
  UPDATE tds_dead_letters d
  SET replayed_at = NULL, replayed_by = NULL, replay_queue_item_id = NULL,
      auto_replays = d.auto_replays + CASE WHEN d.replayed_by = '${RETRY_JOB_ACTOR}' THEN 1 ELSE 0 END
  FROM cancelled c
  WHERE d.replay_queue_item_id = c.id
)
SELECT count(*)::int AS items FROM cancelled`;

/**
 * The run, locked for the rest of the cancel (step 3), after its items were cancelled: a batch
 * finishing items of the run now waits for the cancel to commit before it adds its counts
 * (FINISH_BATCH_SQL locks the run too), then sees the run cancelled and keeps that status.
 * The status is read again here: a batch that committed while the cancel waited for its items
 * may have closed the run. $1 run id.
 */
export const LOCK_SYNC_RUN_SQL = `SELECT ${SYNC_RUN_COLUMNS} FROM tds_sync_runs r WHERE r.id = $1 FOR UPDATE`;

/**
 * Closes the locked, still open run as cancelled ($1 run id, $2 who, $3 items cancelled).
 * Cancelled items count as skipped, so processed stays succeeded + failed + skipped. Every batch
 * that held an item of the run has committed its counts by now (step 2 waited for it), so once
 * no item of the run is open, processed is total.
 */
export const CLOSE_SYNC_RUN_SQL = `
UPDATE tds_sync_runs r
SET status = 'cancelled', completed_at = clock_timestamp(),
    processed = r.processed + $3::int, skipped = r.skipped + $3::int,
    error_summary = COALESCE(r.error_summary, '{}'::jsonb)
      || jsonb_build_object('cancelledBy', $2::text, 'cancelledItems', $3::int)
WHERE r.id = $1
RETURNING ${SYNC_RUN_COLUMNS}`;
