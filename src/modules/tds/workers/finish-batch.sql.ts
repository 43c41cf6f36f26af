/**
 * The last statement of a batch: adds the batch's per-run deltas (rows locked in id order, so
 * batches finishing runs in other orders cannot deadlock), closes a run when its last item
 * finishes (whichever transaction that is), forgets the batch's claim record (it did not die),
 * and wakes the outbox relay at commit when events were written.
 */
export const FINISH_BATCH_SQL = `
WITH d AS (
  SELECT run_id, sum(succeeded)::int AS succeeded, sum(failed)::int AS failed
  FROM unnest($1::bigint[], $2::int[], $3::int[]) AS d (run_id, succeeded, failed)
  GROUP BY run_id
), locked AS (
  SELECT r.id FROM tds_sync_runs r WHERE r.id IN (SELECT run_id FROM d) ORDER BY r.id FOR UPDATE
), runs AS (
  UPDATE tds_sync_runs r
  SET processed = r.processed + d.succeeded + d.failed,
      succeeded = r.succeeded + d.succeeded,
      failed = r.failed + d.failed,
      status = CASE
        WHEN r.status NOT IN ('pending', 'running') THEN r.status
        WHEN r.processed + d.succeeded + d.failed < r.total THEN 'running'
        WHEN r.failed + d.failed = 0 THEN 'completed'
        WHEN r.succeeded + d.succeeded = 0 THEN 'failed'
        ELSE 'partial' END,
      completed_at = CASE
        WHEN r.status IN ('pending', 'running') AND r.processed + d.succeeded + d.failed >= r.total
        THEN clock_timestamp() ELSE r.completed_at END
  FROM d
  WHERE r.id = d.run_id AND r.id IN (SELECT id FROM locked)
  RETURNING r.id
), forgotten AS (
  DELETE FROM tds_batch_claims WHERE id = $4
)
SELECT CASE WHEN $5::boolean THEN pg_notify('tds_outbox', '') END AS notified,
       (SELECT count(*) FROM runs) AS runs`;
