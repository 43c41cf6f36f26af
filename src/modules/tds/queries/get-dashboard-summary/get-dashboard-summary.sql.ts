/**
 * The home screen's figures in one statement and one row, each part through an index that holds
 * only what it counts, so the cost follows what is open now, never the finished history:
 * - open items: the rows of `status IN ('pending', 'retry')`, tds_sync_queue_run_open_idx's
 *   predicate. A batch applying items leaves them pending or retry (its row locks, not the
 *   status, mark them taken), so the items its claim lists (tds_batch_claims: a handful of rows,
 *   probed by primary key) are counted as processing instead, with the leased ones
 *   (status processing, tds_sync_queue_processing_idx). A batch that died keeps its claim until
 *   another batch takes its items again, seconds later: meanwhile they still show as processing.
 *   pending + processing + retry is every open item, none counted twice.
 * - open dead letters: tds_dead_letters_waiting_idx holds only those.
 * - the last 24 h: the bucket range of tds_metrics_bucket_idx, delta rows summed, with the
 *   failure_rate alert's outcomes (ListEntityTypes reads the same), so the figures agree.
 * Ages use the database clock, the one every instance shares.
 */
export const GET_DASHBOARD_SUMMARY_SQL = `
WITH open_items AS (
  SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending,
         count(*) FILTER (WHERE status = 'retry')::int AS retry,
         EXTRACT(EPOCH FROM now() - min(created_at) FILTER (WHERE status = 'pending'))::float8 AS oldest_pending_age
  FROM tds_sync_queue
  WHERE status IN ('pending', 'retry')
), claimed AS (
  SELECT count(*) FILTER (WHERE q.status = 'pending')::int AS pending,
         count(*) FILTER (WHERE q.status = 'retry')::int AS retry
  FROM (SELECT DISTINCT unnest(item_ids) AS id FROM tds_batch_claims) c
  JOIN tds_sync_queue q ON q.id = c.id AND q.status IN ('pending', 'retry')
), leased AS (
  SELECT count(*)::int AS n FROM tds_sync_queue WHERE status = 'processing'
), dead_letters AS (
  SELECT count(*)::int AS n FROM tds_dead_letters WHERE resolved_at IS NULL AND replayed_at IS NULL
), day AS (
  SELECT COALESCE(sum(received), 0)::int AS received, COALESCE(sum(applied), 0)::int AS applied,
         COALESCE(sum(unchanged), 0)::int AS unchanged, COALESCE(sum(superseded), 0)::int AS superseded,
         COALESCE(sum(failed), 0)::int AS failed, COALESCE(sum(dead_lettered), 0)::int AS dead_lettered
  FROM tds_metrics
  WHERE bucket >= date_trunc('minute', now() - interval '24 hours')
)
SELECT now() AS "generatedAt",
       o.pending - c.pending AS pending, c.pending + c.retry + l.n AS processing, o.retry - c.retry AS retry,
       d.n AS "openDeadLetters", o.oldest_pending_age AS "oldestPendingAgeSeconds",
       y.received, y.applied, y.unchanged, y.superseded, y.failed, y.dead_lettered AS "deadLettered"
FROM open_items o, claimed c, leased l, dead_letters d, day y`;
