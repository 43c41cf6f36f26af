const CLAIMED_COLUMNS = `id, source, entity_type AS "entityType", source_entity_id AS "sourceEntityId",
  operation, version, attempt, max_attempts AS "maxAttempts", crash_count AS "crashCount",
  sync_run_id AS "syncRunId"`;

/**
 * The claim, in one statement. Items whose earlier batches died (crash_count > 0) are taken
 * one at a time so a poison item cannot take its batch-mates down again; otherwise a batch is
 * taken in priority order, oldest due first. FOR UPDATE SKIP LOCKED: concurrent workers never
 * wait for each other and never get the same row; the row locks are held until the batch
 * commits, so a crash frees the items at once (the transaction rolls back).
 * Each branch walks a partial index in claim order and stops at its LIMIT: the cost stays flat
 * however many rows the queue holds.
 */
export const CLAIM_BATCH_SQL = `
WITH isolated AS (
  SELECT ${CLAIMED_COLUMNS} FROM tds_sync_queue
  WHERE status IN ('pending', 'retry') AND crash_count > 0 AND next_attempt_at <= now()
  ORDER BY next_attempt_at
  LIMIT 1
  FOR UPDATE SKIP LOCKED
), regular AS (
  SELECT ${CLAIMED_COLUMNS} FROM tds_sync_queue
  WHERE status IN ('pending', 'retry') AND crash_count = 0 AND next_attempt_at <= now()
    AND NOT EXISTS (SELECT 1 FROM isolated)
  ORDER BY priority DESC, next_attempt_at
  LIMIT $1
  FOR UPDATE SKIP LOCKED
)
SELECT * FROM isolated UNION ALL SELECT * FROM regular`;

/**
 * Records the batch before anything is applied, committed outside the batch's transaction
 * (the batch deletes the row when it commits; a row left behind is a batch that died), and
 * counts for each claimed item the batches it already died in. The CTE's insert is not
 * visible to the count: only earlier, dead batches are counted. Live batches cannot hold
 * these items: their rows are locked by the caller.
 */
export const RECORD_CLAIM_SQL = `
WITH mine AS (
  INSERT INTO tds_batch_claims (worker_id, item_ids) VALUES ($1, $2::bigint[]) RETURNING id
)
SELECT (SELECT id FROM mine) AS "claimId", dead.item_id AS "itemId", count(dead.item_id)::int AS crashes
FROM (SELECT 1) AS one
LEFT JOIN LATERAL (
  SELECT x.item_id
  FROM tds_batch_claims c, unnest(c.item_ids) AS x(item_id)
  WHERE c.item_ids && $2::bigint[] AND x.item_id = ANY ($2::bigint[])
) dead ON true
GROUP BY dead.item_id`;

/**
 * Items whose earlier batches died but that were claimed with others: they are not applied
 * here. Their crash count moves onto the queue row (which sends them to the isolated claim)
 * and they are taken out of the dead batches' records so no crash is counted twice.
 */
export const ISOLATE_SUSPECTS_SQL = `
WITH suspects AS (
  SELECT * FROM unnest($1::bigint[], $2::int[]) AS s(id, crashes)
), moved AS (
  UPDATE tds_sync_queue q SET crash_count = q.crash_count + s.crashes
  FROM suspects s WHERE q.id = s.id
  RETURNING q.id
)
UPDATE tds_batch_claims c SET item_ids = ARRAY(SELECT unnest(c.item_ids) EXCEPT SELECT unnest($1::bigint[]))
WHERE c.item_ids && $1::bigint[] AND c.id <> $3`;

/** Dead batches whose items all moved on: nothing left to count. */
export const FORGET_EMPTY_CLAIMS_SQL = `DELETE FROM tds_batch_claims WHERE item_ids = '{}'`;

/**
 * A worker that applied work found the queue drained: `tds.queue.empty` through the outbox
 * (its own transaction: there is no batch), waking the relay at commit.
 * $1 worker id, $2 when it last finished a batch (ISO-8601).
 */
export const RECORD_QUEUE_EMPTY_SQL = `
WITH event AS (
  INSERT INTO tds_outbox (event_type, causation_id, payload)
  VALUES ('tds.queue.empty', 'worker:' || $1, jsonb_build_object('workerId', $1::text, 'lastProcessedAt', $2::text))
  RETURNING 1
)
SELECT pg_notify('tds_outbox', '') FROM event`;
