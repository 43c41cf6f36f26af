import { CLOSED_RUN_STATUSES, insertClosingEvents, nextRunStatus } from '../queue/close-sync-runs.sql.js';

/**
 * The last statement of a batch: adds the batch's per-run deltas, closes a run when its last
 * item finishes (whichever transaction that is) and writes the closing event, forgets the
 * batch's claim record (it did not die), and wakes the outbox relay at commit when events were
 * written.
 *
 * The runs are locked in id order, so batches finishing runs in other orders cannot deadlock.
 * The new figures are computed from the locked rows: a row lock waited for returns the row's
 * newest version, so two batches closing parts of one run add up instead of overwriting each
 * other. A run that is no longer open (cancelled) keeps its status but still counts the items
 * its in-flight batches finish. Closing follows nextRunStatus (close-sync-runs.sql.ts): a
 * webhook run stays running until its hour is over, and one whose last item finishes after
 * that closes here; completed and partial emit tds.sync.completed, failed emits tds.sync.failed.
 * $1 run ids, $2 succeeded, $3 failed, $4 skipped (per delta), $5 the claim, $6 events written.
 */
export const FINISH_BATCH_SQL = `
WITH d AS (
  SELECT run_id, sum(succeeded)::int AS succeeded, sum(failed)::int AS failed, sum(skipped)::int AS skipped
  FROM unnest($1::bigint[], $2::int[], $3::int[], $4::int[]) AS d (run_id, succeeded, failed, skipped)
  GROUP BY run_id
), locked AS (
  SELECT r.id, r.kind, r.window_start, r.mode, r.fetched_at, r.status IN ('pending', 'running') AS open,
         -- A webhook run's total grows as its items finish (openRunItems, close-sync-runs.sql.ts).
         CASE WHEN r.kind = 'webhook' THEN r.total + d.succeeded + d.failed + d.skipped ELSE r.total END AS total,
         r.processed + d.succeeded + d.failed + d.skipped AS processed,
         r.succeeded + d.succeeded AS succeeded, r.failed + d.failed AS failed, r.skipped + d.skipped AS skipped
  FROM tds_sync_runs r
  JOIN d ON d.run_id = r.id
  ORDER BY r.id
  FOR UPDATE OF r
), decided AS (
  SELECT l.*, CASE WHEN l.open THEN ${nextRunStatus('l')} END AS next_status
  FROM locked l
), runs AS (
  UPDATE tds_sync_runs r
  SET total = x.total, processed = x.processed, succeeded = x.succeeded, failed = x.failed, skipped = x.skipped,
      status = COALESCE(x.next_status, r.status),
      completed_at = CASE WHEN x.next_status IN ${CLOSED_RUN_STATUSES} THEN clock_timestamp() ELSE r.completed_at END
  FROM decided x
  WHERE r.id = x.id
  RETURNING r.id, r.entity_type, r.total, r.succeeded, r.failed, r.skipped, r.started_at, r.completed_at, x.next_status
), closed AS (${insertClosingEvents('runs')}
), forgotten AS (
  DELETE FROM tds_batch_claims WHERE id = $5
)
SELECT CASE WHEN $6::boolean OR (SELECT count(*) FROM closed) > 0 THEN pg_notify('tds_outbox', '') END AS notified,
       (SELECT count(*) FROM runs) AS runs`;
