/**
 * A run's failing items grouped by error code, most frequent first, through
 * tds_sync_queue_run_failed_idx: it holds only the items that failed (retry, dead_letter), so
 * the cost follows the run's failures, not its size (a bulk run may hold 100,000 items) nor the
 * queue's history. The newest message is that of the item that failed last: started_at is set
 * to the failing attempt's start. A pull run's records that failed validation never became queue
 * items: they are counted in its error summary (WRITE_PULL_PAGE_SQL) and reported here as
 * VALIDATION_FAILED with the first field error of the newest example kept.
 * $1 sync run id.
 */
export const GET_SYNC_RUN_ERRORS_SQL = `
SELECT * FROM (
  SELECT error_code AS "errorCode", count(*)::int AS count,
         (array_agg(last_error ORDER BY started_at DESC, id DESC))[1] AS "lastMessage"
  FROM tds_sync_queue
  WHERE sync_run_id = $1 AND status IN ('retry', 'dead_letter')
  GROUP BY error_code
  UNION ALL
  SELECT 'VALIDATION_FAILED', (r.error_summary->>'invalidRecords')::int,
         (SELECT s->'errors'->0->>'path' || ': ' || (s->'errors'->0->>'message')
          FROM jsonb_array_elements(r.error_summary->'invalidSamples') WITH ORDINALITY AS e(s, n) ORDER BY n DESC LIMIT 1)
  FROM tds_sync_runs r
  WHERE r.id = $1 AND (r.error_summary->>'invalidRecords')::int > 0
) errors
ORDER BY count DESC, "errorCode"`;
