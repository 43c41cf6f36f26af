/**
 * Folds the rows of each past (bucket, source, entity_type) into one rolled-up row, in one
 * statement: the deleted rows are exactly the rows summed, so a delta written meanwhile (it
 * is not in this statement's snapshot) is neither lost nor counted twice; the next run folds
 * it. A group is folded when it has more than one row or a row not yet rolled up; a group
 * already down to its one rolled-up row is left alone.
 *
 * Which buckets: those that ended at least a minute ago ($1 cutoff, on now(), the clock the
 * writers name their buckets by, so a batch that started in a minute and commits a little
 * later still lands before its minute is folded), back to $2. Delta rows only ever come for
 * recent minutes, so the walk of the bucket index is bounded by $2 instead of going over the
 * whole history every run; the rows to fold are then deleted by primary key.
 */
export const ROLL_UP_METRICS_SQL = `
WITH due AS (
  SELECT id
  FROM (
    SELECT id, count(*) OVER g AS rows_in_group, bool_or(NOT rolled_up) OVER g AS has_delta
    FROM tds_metrics
    WHERE bucket >= now() - make_interval(secs => $2) AND bucket < now() - make_interval(secs => $1)
    WINDOW g AS (PARTITION BY bucket, source, entity_type)
  ) grouped
  WHERE rows_in_group > 1 OR has_delta
), folded AS (
  DELETE FROM tds_metrics WHERE id = ANY(ARRAY(SELECT id FROM due))
  RETURNING *
), rolled AS (
  INSERT INTO tds_metrics (bucket, source, entity_type, received, applied, unchanged, superseded, failed, retried,
                           dead_lettered, latency_sum_ms, latency_max_ms, rolled_up)
  SELECT bucket, source, entity_type, sum(received), sum(applied), sum(unchanged), sum(superseded), sum(failed),
         sum(retried), sum(dead_lettered), sum(latency_sum_ms), max(latency_max_ms), true
  FROM folded
  GROUP BY bucket, source, entity_type
  RETURNING 1
)
SELECT (SELECT count(*) FROM folded)::int AS "rowsFolded", (SELECT count(*) FROM rolled)::int AS "buckets"`;
