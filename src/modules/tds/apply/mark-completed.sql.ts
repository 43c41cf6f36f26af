import { countApplied } from '../queue/metric-buckets.sql.js';

/**
 * Applying a group of claimed queue items takes two statements, inside the batch's transaction.
 *
 * First, every entity of the group that has no mirror row yet gets a placeholder row (version
 * -1, arrival sequence 0), which the second statement always overwrites before the transaction
 * commits, so no one else ever sees one. Two batches must not wait for each other here (a
 * unique-index insert waits for a concurrent insert of the same key to commit): each new key is
 * first claimed with a transaction-scoped advisory try-lock, which never waits. A key another
 * batch is creating right now gets no placeholder; the second statement then finds no row to
 * lock and defers its items, like a row another batch holds. The keys come from the claim
 * ($1 sources, $2 entity types, $3 source ids): no second read of the queue rows.
 */
export const CREATE_PLACEHOLDERS_SQL = `
INSERT INTO tds_entities (source, entity_type, source_entity_id, version, arrival_seq, content_hash, data)
SELECT k.source, k.entity_type, k.source_entity_id, -1, 0, '', '{}'::jsonb
FROM (
  SELECT DISTINCT x.source, x.entity_type, x.source_entity_id
  FROM unnest($1::text[], $2::text[], $3::text[]) AS x (source, entity_type, source_entity_id)
  WHERE NOT EXISTS (SELECT 1 FROM tds_entities e
                    WHERE (e.source, e.entity_type, e.source_entity_id) = (x.source, x.entity_type, x.source_entity_id))
) k
WHERE pg_try_advisory_xact_lock(hashtextextended(k.source || '/' || k.entity_type || '/' || k.source_entity_id, 0))
ON CONFLICT (source, entity_type, source_entity_id) DO NOTHING`;

/**
 * Second, ONE statement applies the group to the mirror and records every item's outcome:
 *
 * 1. Precedence is (version, delete beats update, arrival sequence = queue id). Within the
 *    group only the highest item per entity can reach the mirror; the others are superseded.
 * 2. The mirror rows are locked and read at their newest committed state. A row another batch
 *    holds (or is creating) is skipped, not waited for: that candidate is deferred, left pending
 *    for a later batch, so concurrent workers never queue up behind each other's transactions.
 * 3. A candidate with lower precedence than the stored row is superseded. One with higher
 *    precedence but the same content is unchanged: only version and arrival sequence move
 *    (so an older item arriving later still loses), no event. Otherwise it is applied: the row
 *    is written, the field-level diff against the stored data computed, one outbox event added
 *    (`create` when the row was our placeholder).
 * 4. Every item's status is set and counted in this minute's metric bucket; the caller adds run
 *    counters with the deltas returned (applied items succeeded, unchanged and superseded ones
 *    were skipped) and feeds the per-item latencies to the instance's histogram.
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
), stored AS (
  SELECT e.source, e.entity_type, e.source_entity_id, e.version, e.arrival_seq, e.content_hash,
         e.data, e.deleted, e.arrival_seq = 0 AS is_new
  FROM tds_entities e
  JOIN candidates c USING (source, entity_type, source_entity_id)
  FOR UPDATE OF e SKIP LOCKED
), decided AS (
  SELECT c.*, s.is_new,
         CASE WHEN NOT s.is_new THEN s.data END AS old_data,
         CASE WHEN NOT s.is_new THEN s.content_hash END AS old_hash,
    CASE
      WHEN s.is_new THEN 'completed'
      WHEN (c.version, c.is_delete, c.id) <= (s.version, s.deleted, s.arrival_seq) THEN 'superseded'
      WHEN c.is_delete = s.deleted AND (c.is_delete OR c.content_hash = s.content_hash) THEN 'unchanged'
      ELSE 'completed'
    END AS outcome
  FROM candidates c
  JOIN stored s USING (source, entity_type, source_entity_id)
), written AS (
  UPDATE tds_entities e
  SET version = d.version, arrival_seq = d.id,
      -- a delete keeps the last known record, marked deleted
      content_hash = CASE WHEN d.is_delete THEN COALESCE(d.old_hash, d.content_hash) ELSE d.content_hash END,
      data = CASE WHEN d.is_delete THEN COALESCE(d.old_data, d.payload) ELSE d.payload END,
      deleted = d.is_delete,
      synced_at = clock_timestamp()
  FROM decided d
  WHERE d.outcome <> 'superseded'
    AND (e.source, e.entity_type, e.source_entity_id) = (d.source, d.entity_type, d.source_entity_id)
  RETURNING 1
), events AS (
  INSERT INTO tds_outbox (event_type, correlation_id, causation_id, payload)
  SELECT 'tds.entity.' || op, a.correlation_id, 'queue-item:' || a.id,
         jsonb_build_object(
           'source', a.source, 'entityType', a.entity_type, 'sourceEntityId', a.source_entity_id,
           'operation', op, 'version', a.version, 'queueItemId', a.id,
           -- A create's changes are all of its fields from nothing: left out of the stored row
           -- (it would hold the record twice, and a row that size is compressed on every write)
           -- and rebuilt from data by TdsEntitySyncedEvent.
           'changes', CASE WHEN a.is_delete THEN '{}'::jsonb WHEN a.is_new THEN NULL ELSE COALESCE((
             SELECT jsonb_object_agg(k, jsonb_build_object('from', f, 'to', t))
             FROM (SELECT n.key, a.old_data -> n.key, n.value
                   FROM jsonb_each(a.payload) n
                   WHERE (a.old_data -> n.key) IS DISTINCT FROM n.value
                   UNION ALL
                   SELECT o.key, o.value, NULL
                   FROM jsonb_each(a.old_data) o
                   WHERE NOT a.payload ? o.key) AS diff (k, f, t)), '{}'::jsonb) END,
           'data', CASE WHEN a.is_delete THEN COALESCE(a.old_data, a.payload) ELSE a.payload END)
  FROM (
    SELECT d.*,
           CASE WHEN is_delete THEN 'delete' WHEN is_new THEN 'create' ELSE 'update' END AS op,
           COALESCE('inbox:' || inbox_event_id, 'sync-run:' || sync_run_id) AS correlation_id
    FROM decided d
    WHERE d.outcome = 'completed'
  ) a
  RETURNING 1
), deferred AS (
  -- Candidates whose row another batch holds: left pending, untouched, free again at commit.
  -- Lower items of their entity are superseded by them, whatever becomes of them.
  SELECT c.id FROM candidates c
  WHERE NOT EXISTS (SELECT 1 FROM decided d WHERE d.id = c.id)
), finished AS (
  UPDATE tds_sync_queue q
  SET status = COALESCE(d.outcome, 'superseded'), started_at = now(), completed_at = clock_timestamp(),
      last_error = NULL, error_code = NULL
  FROM items i
  LEFT JOIN decided d ON d.id = i.id
  WHERE q.id = i.id AND i.id NOT IN (SELECT id FROM deferred)
  RETURNING q.sync_run_id, q.status, q.source, q.entity_type,
            (extract(epoch FROM q.completed_at - q.created_at) * 1000)::bigint AS latency_ms
), metrics AS (${countApplied('finished')}
)
SELECT
  (SELECT count(*)::int FROM events) AS events,
  (SELECT count(*)::int FROM deferred) AS deferred,
  (SELECT count(*)::int FROM written) AS written,
  COALESCE((SELECT jsonb_agg(jsonb_build_object('syncRunId', r.sync_run_id, 'succeeded', r.succeeded, 'skipped', r.skipped))
            FROM (SELECT sync_run_id, count(*) FILTER (WHERE status = 'completed')::int AS succeeded,
                         count(*) FILTER (WHERE status <> 'completed')::int AS skipped
                  FROM finished WHERE sync_run_id IS NOT NULL GROUP BY sync_run_id) r), '[]'::jsonb) AS runs,
  -- float8: an int8 array is not read as numbers by every driver (PGlite), and an item can wait
  -- longer than an int4 of milliseconds holds (25 days).
  (SELECT COALESCE(array_agg(latency_ms::float8), '{}') FROM finished) AS "latenciesMs",
  COALESCE((SELECT jsonb_object_agg(status, n)
            FROM (SELECT status, count(*)::int AS n FROM finished GROUP BY status) s), '{}'::jsonb) AS statuses`;
