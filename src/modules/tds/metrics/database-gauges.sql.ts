/**
 * Everything the scrape-time gauges show, in one statement and one row, so a scrape costs one
 * round trip. Each part reads through an index that holds only the rows it counts, so its cost
 * follows what is open now (the backlog, the undispatched events, the open failures), never the
 * history that accumulates in the same tables. Ages use the database clock, the one every
 * instance shares.
 */
export const DATABASE_GAUGES_SQL = `
WITH open_items AS (
  -- The predicate of tds_sync_queue_run_open_idx (both claim lanes). Items a batch is applying
  -- are still pending or retry here: their row locks, not their status, mark them taken.
  SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending,
         count(*) FILTER (WHERE status = 'retry')::int AS retry,
         COALESCE(EXTRACT(EPOCH FROM now() - min(created_at) FILTER (WHERE status = 'pending' AND next_attempt_at <= now())), 0)::float8
           AS oldest_pending_age
  FROM tds_sync_queue
  WHERE status IN ('pending', 'retry')
), claimed AS (
  -- One row per batch in flight or dead and not yet retried: a handful, whatever the queue holds.
  SELECT COALESCE(sum(cardinality(item_ids)), 0)::int AS items FROM tds_batch_claims
), dead_letters AS (
  -- tds_dead_letters_waiting_idx holds these only; the open index also holds the replayed
  -- ones, which retention keeps for weeks.
  SELECT count(*)::int AS open FROM tds_dead_letters WHERE resolved_at IS NULL AND replayed_at IS NULL
), outbox AS (
  -- tds_outbox_pending_idx holds the undispatched rows only. The lowest id is taken as the
  -- oldest: one index probe, where the minimum created_at would read every pending row.
  SELECT count(*)::int AS pending,
         COALESCE(EXTRACT(EPOCH FROM now() - (SELECT created_at FROM tds_outbox WHERE dispatched_at IS NULL ORDER BY id LIMIT 1)), 0)::float8
           AS oldest_age
  FROM tds_outbox
  WHERE dispatched_at IS NULL
), reaction_failures AS (
  -- tds_reaction_failures_open_uq holds the unresolved ones only.
  SELECT count(*) FILTER (WHERE exhausted_at IS NULL)::int AS retrying,
         count(*) FILTER (WHERE exhausted_at IS NOT NULL)::int AS exhausted
  FROM tds_reaction_failures
  WHERE resolved_at IS NULL
), alerts AS (
  -- tds_alerts_open_uq holds the unresolved ones only.
  SELECT COALESCE(jsonb_object_agg(severity, n), '{}'::jsonb) AS by_severity
  FROM (SELECT severity, count(*)::int AS n FROM tds_alerts WHERE status <> 'resolved' GROUP BY severity) a
), recent AS (
  -- The five whole minutes before the current one (a range of tds_metrics_bucket_idx), so the
  -- figure moves once a minute and every instance shows the same. A bucket's delta rows are summed.
  SELECT COALESCE(jsonb_agg(jsonb_build_object(
           'source', source, 'entityType', entity_type, 'outcomes', jsonb_build_object(
             'received', received, 'applied', applied, 'unchanged', unchanged, 'superseded', superseded,
             'failed', failed, 'retried', retried, 'dead_lettered', dead_lettered))), '[]'::jsonb) AS items
  FROM (
    SELECT source, entity_type, sum(received)::int AS received, sum(applied)::int AS applied,
           sum(unchanged)::int AS unchanged, sum(superseded)::int AS superseded, sum(failed)::int AS failed,
           sum(retried)::int AS retried, sum(dead_lettered)::int AS dead_lettered
    FROM tds_metrics
    WHERE bucket >= date_trunc('minute', now()) - interval '5 minutes' AND bucket < date_trunc('minute', now())
    GROUP BY source, entity_type
  ) m
)
SELECT o.pending AS "queuePending", o.retry AS "queueRetry", o.oldest_pending_age AS "oldestPendingAgeSeconds",
       c.items AS "claimedItems", d.open AS "openDeadLetters",
       x.pending AS "outboxPending", x.oldest_age AS "outboxOldestAgeSeconds",
       r.retrying AS "reactionFailuresRetrying", r.exhausted AS "reactionFailuresExhausted",
       a.by_severity AS "alertsBySeverity", m.items AS "recentItems"
FROM open_items o, claimed c, dead_letters d, outbox x, reaction_failures r, alerts a, recent m`;
