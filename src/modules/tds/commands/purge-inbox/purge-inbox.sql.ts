/**
 * One batch of the inbox retention. Small batches keep each transaction's locks and WAL short
 * beside live ingestion; SKIP LOCKED passes over rows another purge (another instance) holds
 * rather than waiting for them. `= ANY (ARRAY(…))` runs the sub-select once and probes the
 * primary key; written as `IN (…)` the planner chose to scan the whole table for every batch. The oldest go first (received_at index); each survivor check is
 * one probe of a partial index (migration 1764400000000). An item that is open (pending, retry,
 * or processing under a batch) keeps its delivery, and so does a dead letter neither resolved
 * nor replayed. A replayed one does not: its replay is a queue item with the same delivery,
 * kept by the first check while it is open, and once that has finished the delivery has served.
 * $1 cutoff (received before it), $2 batch size.
 */
export const PURGE_INBOX_BATCH_SQL = `
DELETE FROM tds_inbox_events
WHERE id = ANY (ARRAY(
  SELECT e.id
  FROM tds_inbox_events e
  WHERE e.received_at < $1
    AND NOT EXISTS (SELECT 1 FROM tds_dead_letters d WHERE d.inbox_event_id = e.id AND d.resolved_at IS NULL AND d.replayed_at IS NULL)
    AND NOT EXISTS (SELECT 1 FROM tds_sync_queue q
                    WHERE q.inbox_event_id = e.id AND q.status IN ('pending', 'retry', 'processing'))
  ORDER BY e.received_at
  LIMIT $2
  FOR UPDATE SKIP LOCKED
))
RETURNING id`;
