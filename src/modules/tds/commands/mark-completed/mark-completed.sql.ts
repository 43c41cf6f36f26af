/**
 * Applies a group of claimed queue items to the mirror in ONE statement, inside the batch's
 * transaction, and records every item's outcome with it:
 *
 * 1. Precedence is (version, delete beats update, arrival sequence = queue id). Within the
 *    group only the highest item per entity can reach the mirror; the others are superseded.
 * 2. The stored rows are locked and read at their newest committed state. A row another batch
 *    holds is skipped, not waited for: that candidate is deferred, left pending for a later
 *    batch, so concurrent workers never queue up behind each other's transactions.
 * 3. A candidate with lower precedence than the stored row is superseded. One with higher
 *    precedence but the same content is unchanged: only version and arrival sequence move
 *    (so an older item arriving later still loses), no event. Otherwise it is applied: upsert,
 *    field-level diff against the stored data, one outbox event.
 * 4. The upsert keeps its own guard, so even a row created concurrently by another batch is
 *    never overwritten by lower precedence. `raced` counts candidates that saw no stored row
 *    but overwrote one created meanwhile by another batch: the caller rolls the group back and
 *    re-runs it, so its event type and diff are computed against the row that was there.
 * 5. Every item's status is set; the caller adds run counters with the deltas returned.
 */
export const MARK_COMPLETED_SQL = `
WITH items AS (
  SELECT q.id, q.source, q.entity_type, q.source_entity_id, q.operation, q.version, q.payload,
         q.content_hash, q.sync_run_id, q.inbox_event_id, q.operation = 'delete' AS is_delete
  FROM tds_sync_queue q
  WHERE q.id = ANY ($1::bigint[])
), candidates AS (
  SELECT DISTINCT ON (source, entity_type, source_entity_id) *
  FROM items
  ORDER BY source, entity_type, source_entity_id, version DESC, is_delete DESC, id DESC
), existing AS (
  SELECT e.source, e.entity_type, e.source_entity_id
  FROM tds_entities e
  JOIN candidates c USING (source, entity_type, source_entity_id)
), stored AS (
  SELECT e.source, e.entity_type, e.source_entity_id, e.version, e.arrival_seq, e.content_hash,
         e.data, e.deleted
  FROM tds_entities e
  JOIN candidates c USING (source, entity_type, source_entity_id)
  ORDER BY e.source, e.entity_type, e.source_entity_id
  FOR UPDATE OF e SKIP LOCKED
), deferred AS (
  SELECT x.source, x.entity_type, x.source_entity_id FROM existing x
  EXCEPT
  SELECT s.source, s.entity_type, s.source_entity_id FROM stored s
), decided AS (
  SELECT c.*, s.source IS NULL AS is_new, s.data AS old_data, s.content_hash AS old_hash,
    CASE
      WHEN s.source IS NOT NULL
       AND (c.version, c.is_delete, c.id) <= (s.version, s.deleted, s.arrival_seq) THEN 'superseded'
      WHEN s.source IS NOT NULL AND c.is_delete = s.deleted
       AND (c.is_delete OR c.content_hash = s.content_hash) THEN 'unchanged'
      ELSE 'completed'
    END AS outcome
  FROM candidates c
  LEFT JOIN stored s USING (source, entity_type, source_entity_id)
  WHERE (c.source, c.entity_type, c.source_entity_id) NOT IN (SELECT * FROM deferred)
), upserted AS (
  INSERT INTO tds_entities AS e
    (source, entity_type, source_entity_id, version, arrival_seq, content_hash, data, deleted, synced_at)
  SELECT d.source, d.entity_type, d.source_entity_id, d.version, d.id,
         -- a delete keeps the last known record, marked deleted
         CASE WHEN d.is_delete THEN COALESCE(d.old_hash, d.content_hash) ELSE d.content_hash END,
         CASE WHEN d.is_delete THEN COALESCE(d.old_data, d.payload) ELSE d.payload END,
         d.is_delete, clock_timestamp()
  FROM decided d
  WHERE d.outcome <> 'superseded'
  ORDER BY d.source, d.entity_type, d.source_entity_id
  ON CONFLICT (source, entity_type, source_entity_id) DO UPDATE
    SET version = EXCLUDED.version, arrival_seq = EXCLUDED.arrival_seq,
        content_hash = EXCLUDED.content_hash, data = EXCLUDED.data, deleted = EXCLUDED.deleted,
        synced_at = EXCLUDED.synced_at
    WHERE (e.version, e.deleted, e.arrival_seq) < (EXCLUDED.version, EXCLUDED.deleted, EXCLUDED.arrival_seq)
  RETURNING e.source, e.entity_type, e.source_entity_id, e.xmax = 0 AS inserted
), applied AS (
  SELECT d.*
  FROM decided d
  JOIN upserted u USING (source, entity_type, source_entity_id)
  WHERE d.outcome = 'completed' AND (u.inserted OR NOT d.is_new)
), events AS (
  INSERT INTO tds_outbox (event_type, correlation_id, causation_id, payload)
  SELECT 'tds.entity.' || op, a.correlation_id, 'queue-item:' || a.id,
         jsonb_build_object(
           'source', a.source, 'entityType', a.entity_type, 'sourceEntityId', a.source_entity_id,
           'operation', op, 'version', a.version, 'queueItemId', a.id,
           'changes', CASE WHEN a.is_delete THEN '{}'::jsonb ELSE COALESCE((
             SELECT jsonb_object_agg(k, jsonb_build_object('from', a.old_data -> k, 'to', a.payload -> k))
             FROM (SELECT jsonb_object_keys(a.payload)
                   UNION SELECT jsonb_object_keys(COALESCE(a.old_data, '{}'::jsonb))) AS keys (k)
             WHERE (a.old_data -> k) IS DISTINCT FROM (a.payload -> k)), '{}'::jsonb) END,
           'data', CASE WHEN a.is_delete THEN COALESCE(a.old_data, a.payload) ELSE a.payload END)
  FROM (
    SELECT applied.*,
           CASE WHEN is_delete THEN 'delete' WHEN is_new THEN 'create' ELSE 'update' END AS op,
           COALESCE('inbox:' || inbox_event_id, 'sync-run:' || sync_run_id) AS correlation_id
    FROM applied
  ) a
  ORDER BY a.id
  RETURNING 1
), outcomes AS (
  -- A deferred candidate is left pending, untouched: it is free again at commit. Lower items of
  -- its entity are superseded by it, whatever becomes of it.
  SELECT i.id, i.sync_run_id,
         CASE WHEN d.id IS NULL THEN 'superseded'
              WHEN d.outcome = 'superseded' THEN 'superseded'
              WHEN u.source IS NULL THEN 'superseded'
              ELSE d.outcome END AS status
  FROM items i
  LEFT JOIN decided d ON d.id = i.id
  LEFT JOIN upserted u ON u.source = d.source AND u.entity_type = d.entity_type
                      AND u.source_entity_id = d.source_entity_id
  WHERE i.id NOT IN (SELECT c.id FROM candidates c JOIN deferred USING (source, entity_type, source_entity_id))
), finished AS (
  UPDATE tds_sync_queue q
  SET status = o.status, started_at = now(), completed_at = clock_timestamp(),
      last_error = NULL, error_code = NULL
  FROM outcomes o
  WHERE q.id = o.id
  RETURNING q.sync_run_id, q.status
)
SELECT
  (SELECT count(*)::int FROM decided d
    JOIN upserted u USING (source, entity_type, source_entity_id)
    WHERE d.is_new AND NOT u.inserted) AS raced,
  (SELECT count(*)::int FROM events) AS events,
  (SELECT count(*)::int FROM deferred) AS deferred,
  COALESCE((SELECT jsonb_agg(jsonb_build_object('syncRunId', r.sync_run_id, 'succeeded', r.n))
            FROM (SELECT sync_run_id, count(*)::int AS n FROM finished
                  WHERE sync_run_id IS NOT NULL GROUP BY sync_run_id) r), '[]'::jsonb) AS runs,
  COALESCE((SELECT jsonb_object_agg(status, n)
            FROM (SELECT status, count(*)::int AS n FROM finished GROUP BY status) s), '{}'::jsonb) AS statuses`;
