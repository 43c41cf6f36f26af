/**
 * Folds the rows of each past (bucket, source, entity_type) that has a delta (a row not rolled
 * up yet) into one rolled-up row, in one statement: the deleted rows are exactly the rows
 * summed, so a delta written meanwhile (it is not in this statement's snapshot) is neither
 * lost nor counted twice; the next run folds it. A late delta for a group folded already is
 * folded together with that group's rolled-up row.
 *
 * The groups come from tds_metrics_unrolled_idx, which holds only the deltas (in steady state
 * the last minute or two), so a run reads what it has to fold and not the history already
 * rolled up; each group's rows are then found on the bucket index and deleted by primary key.
 * Which buckets: those that ended at least a minute ago ($1 seconds before now(), the clock the
 * writers name their buckets by, so a batch that started in a minute and commits a little
 * later still lands before its minute is folded).
 */
export const ROLL_UP_METRICS_SQL = `
WITH groups AS (
  SELECT DISTINCT bucket, source, entity_type
  FROM tds_metrics
  WHERE NOT rolled_up AND bucket < now() - make_interval(secs => $1)
), due AS (
  SELECT m.id
  FROM groups g
  JOIN tds_metrics m ON m.bucket = g.bucket AND m.source = g.source AND m.entity_type = g.entity_type
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
