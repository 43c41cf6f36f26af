import { SYNC_RUN_COLUMNS } from '../../queries/get-sync-run/get-sync-run.sql.js';

/**
 * The run, locked for the rest of the cancel: a batch finishing some of its items waits for the
 * cancel to commit before it adds its counts (FINISH_BATCH_SQL locks the run too), then sees
 * the run cancelled and keeps that status. $1 run id.
 */
export const LOCK_SYNC_RUN_SQL = `SELECT ${SYNC_RUN_COLUMNS} FROM tds_sync_runs r WHERE r.id = $1 FOR UPDATE`;

/**
 * Cancels the run's open items and closes the run, in one statement ($1 run id, $2 who).
 *
 * The items are the pending and retry ones (the predicate of tds_sync_queue_run_open_idx, so
 * only the run's open rows are read), taken with SKIP LOCKED: a row a worker batch holds is
 * being applied right now; waiting for it could wait on that batch, which itself waits for
 * this run's lock to add its counts. Left alone, it finishes normally and the batch counts it
 * into the (cancelled) run. Cancelled items count as skipped, so processed stays succeeded +
 * failed + skipped and reaches total once the held items finish. A cancelled replay gives its
 * dead letters back: they are open again (not replayed), so nothing an operator called off
 * drops out of the dead-letter queue unseen.
 */
export const CANCEL_SYNC_RUN_SQL = `
WITH open_items AS (
  SELECT id FROM tds_sync_queue
  WHERE sync_run_id = $1 AND status IN ('pending', 'retry')
  FOR UPDATE SKIP LOCKED
), cancelled AS (
  UPDATE tds_sync_queue q SET status = 'cancelled', completed_at = clock_timestamp()
  FROM open_items o
  WHERE q.id = o.id
  RETURNING q.id
), reopened AS (
  UPDATE tds_dead_letters d SET replayed_at = NULL, replayed_by = NULL, replay_queue_item_id = NULL
  FROM cancelled c
  WHERE d.replay_queue_item_id = c.id
), n AS (
  SELECT count(*)::int AS items FROM cancelled
)
UPDATE tds_sync_runs r
SET status = 'cancelled', completed_at = clock_timestamp(),
    processed = r.processed + n.items, skipped = r.skipped + n.items,
    error_summary = COALESCE(r.error_summary, '{}'::jsonb)
      || jsonb_build_object('cancelledBy', $2::text, 'cancelledItems', n.items)
FROM n
WHERE r.id = $1
RETURNING ${SYNC_RUN_COLUMNS}`;
