/**
 * One point per step, oldest first, the last one holding the current minute (database clock,
 * the one the buckets are written with). The steps come from generate_series and are left
 * joined to the summed delta rows, so a step without work is a row of zeros, never a gap. The
 * metrics are read as one range of tds_metrics_bucket_idx (bucket leads it), the entity type
 * a filter inside it; date_bin puts each bucket in the step its minute falls in.
 * Mean latency is over the items the step closed (applied, unchanged, superseded), the items
 * latency_sum_ms covers (metric-buckets.sql.ts).
 * $1 window minutes, $2 step minutes, $3 entity type or null.
 */
export const GET_THROUGHPUT_SQL = `
WITH span AS (
  SELECT date_trunc('minute', now()) + interval '1 minute' - make_interval(mins => $1::int) AS "from"
), steps AS (
  SELECT n, s."from" + make_interval(mins => n * $2::int) AS at
  FROM span s, generate_series(0, $1::int / $2::int - 1) AS n
), sums AS (
  SELECT date_bin(make_interval(mins => $2::int), m.bucket, s."from") AS at,
         sum(m.received)::int AS received, sum(m.applied)::int AS applied, sum(m.unchanged)::int AS unchanged,
         sum(m.superseded)::int AS superseded, sum(m.failed)::int AS failed, sum(m.retried)::int AS retried,
         sum(m.dead_lettered)::int AS dead_lettered, sum(m.applied + m.unchanged + m.superseded)::float8 AS closed,
         sum(m.latency_sum_ms)::float8 AS latency_sum, max(m.latency_max_ms)::float8 AS latency_max
  FROM tds_metrics m, span s
  WHERE m.bucket >= s."from" AND m.bucket < s."from" + make_interval(mins => $1::int)
    AND ($3::text IS NULL OR m.entity_type = $3::text)
  GROUP BY 1
)
SELECT st.at,
       COALESCE(x.received, 0) AS received, COALESCE(x.applied, 0) AS applied, COALESCE(x.unchanged, 0) AS unchanged,
       COALESCE(x.superseded, 0) AS superseded, COALESCE(x.failed, 0) AS failed, COALESCE(x.retried, 0) AS retried,
       COALESCE(x.dead_lettered, 0) AS "deadLettered",
       CASE WHEN x.closed > 0 THEN x.latency_sum / x.closed END AS "avgLatencyMs",
       CASE WHEN x.closed > 0 THEN x.latency_max END AS "maxLatencyMs"
FROM steps st
LEFT JOIN sums x USING (at)
ORDER BY st.n`;
