/**
 * One row per entity type in $1 (the processors' types, so a type without data reads zeros),
 * in one statement, each part through an index:
 * - mirrored: one grouped pass over the mirror, the one part whose cost grows with the mirror
 *   (an index for it slowed every apply; a counter kept by the apply statement is the next step);
 * - the backlog and the open dead letters: one pass each over the rows of the partial index
 *   that holds only them (tds_sync_queue_run_open_idx, tds_dead_letters_waiting_idx), grouped,
 *   so their cost follows what is open now, not history (the oldest pending item's age, the lag the
 *   BFF shows, comes from the same pass);
 * - the last day's outcomes: the bucket range of tds_metrics_bucket_idx, delta rows summed;
 * - the last success: one backward probe of tds_metrics_success_idx per type, whatever its age
 *   within the metrics' retention (a 24 h window would call a quiet type's last success "never").
 * Outcomes and the success test are the alert rules' (failure_rate, no_successful_sync), so
 * this page and the alerts agree.
 */
export const LIST_ENTITY_TYPES_SQL = `
WITH types AS (
  SELECT entity_type, ord FROM unnest($1::text[]) WITH ORDINALITY AS t (entity_type, ord)
), backlog AS (
  SELECT entity_type, count(*)::int AS n,
         EXTRACT(EPOCH FROM now() - min(created_at) FILTER (WHERE status = 'pending'))::float8 AS oldest_pending_age
  FROM tds_sync_queue WHERE status IN ('pending', 'retry') GROUP BY entity_type
), dead_letters AS (
  SELECT entity_type, count(*)::int AS n FROM tds_dead_letters WHERE resolved_at IS NULL AND replayed_at IS NULL GROUP BY entity_type
), mirrored AS (
  -- $2 false: a one-time filter, the mirror is not read at all.
  SELECT entity_type, count(*)::int AS n FROM tds_entities WHERE $2::boolean AND NOT deleted GROUP BY entity_type
), day AS (
  SELECT entity_type, sum(applied)::int AS applied, sum(failed)::int AS failed,
         sum(applied + unchanged + superseded)::float8 AS succeeded,
         sum(applied + unchanged + superseded + failed)::float8 AS outcomes
  FROM tds_metrics
  WHERE bucket >= date_trunc('minute', now() - interval '24 hours')
  GROUP BY entity_type
)
SELECT t.entity_type AS "entityType",
       CASE WHEN $2::boolean THEN COALESCE(mi.n, 0) END AS mirrored,
       COALESCE(b.n, 0) AS "pendingItems",
       b.oldest_pending_age AS "oldestPendingAgeSeconds",
       COALESCE(d.n, 0) AS "openDeadLetters",
       (SELECT max(m.bucket) FROM tds_metrics m WHERE m.entity_type = t.entity_type AND m.applied + m.unchanged > 0) AS "lastSuccessAt",
       COALESCE(y.applied, 0) AS "applied24h",
       COALESCE(y.failed, 0) AS "failed24h",
       CASE WHEN y.outcomes > 0 THEN y.succeeded / y.outcomes END AS "successRate24h"
FROM types t
LEFT JOIN backlog b USING (entity_type)
LEFT JOIN dead_letters d USING (entity_type)
LEFT JOIN mirrored mi USING (entity_type)
LEFT JOIN day y USING (entity_type)
ORDER BY t.ord`;
