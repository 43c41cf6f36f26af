/**
 * The per-minute buckets of `tds_metrics` are written by the statements that do the work, as
 * one more step of the same statement: no second pass over the queue, and a rolled-back batch
 * counts nothing. Each writer adds its own delta row per (minute, source, entity type) rather
 * than updating a shared row, which every concurrent batch would queue behind; reads sum them,
 * and the roll-up job folds past minutes into one row. The minute is the transaction's start
 * (now()), the same clock the queue's timestamps use.
 */
const BUCKET = `date_trunc('minute', now())`;

/** Received counts of `queued`, a relation of new queue items (source, entity_type). */
export function countReceived(queued: string): string {
  return `
  INSERT INTO tds_metrics (bucket, source, entity_type, received)
  SELECT ${BUCKET}, source, entity_type, count(*)
  FROM ${queued}
  GROUP BY source, entity_type`;
}

/**
 * Outcome counts of `finished`, a relation of queue items just closed by applying them
 * (source, entity_type, status, latency_ms: enqueue to close). Latency covers every closed item,
 * so a bucket's mean is latency_sum_ms / (applied + unchanged + superseded).
 */
export function countApplied(finished: string): string {
  return `
  INSERT INTO tds_metrics (bucket, source, entity_type, applied, unchanged, superseded, latency_sum_ms, latency_max_ms)
  SELECT ${BUCKET}, source, entity_type,
         count(*) FILTER (WHERE status = 'completed'),
         count(*) FILTER (WHERE status = 'unchanged'),
         count(*) FILTER (WHERE status = 'superseded'),
         sum(latency_ms), max(latency_ms)
  FROM ${finished}
  GROUP BY source, entity_type`;
}

/** Failure counts of `failed`, a relation of failed attempts (source, entity_type, status retry | dead_letter). */
export function countFailed(failed: string): string {
  return `
  INSERT INTO tds_metrics (bucket, source, entity_type, failed, retried, dead_lettered)
  SELECT ${BUCKET}, source, entity_type, count(*),
         count(*) FILTER (WHERE status = 'retry'),
         count(*) FILTER (WHERE status = 'dead_letter')
  FROM ${failed}
  GROUP BY source, entity_type`;
}
