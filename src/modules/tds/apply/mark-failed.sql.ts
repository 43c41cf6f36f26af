import { RETRY_JOB_ACTOR } from '../domain/queue-item.js';
import { countFailed } from '../queue/metric-buckets.sql.js';

/**
 * Records failed attempts of a batch in ONE statement, inside the batch's transaction. Per item:
 * a delay means retry (status retry, next attempt on the database clock, so every instance
 * agrees on when it is due); no delay means dead letter (a tds_dead_letters row with the last
 * payload). Every failure is logged in tds_queue_attempts and emits tds.entity.sync_failed; a
 * dead letter also emits tds.deadletter.added. A dead letter records whether its error could pass
 * by waiting (transient: retries ran out, so the retry job may queue it again later) and how
 * many times the retry job already replayed this item's chain (the dead letter whose replay
 * this item was, found through its replay link). Every failure is counted in this minute's
 * metric bucket.
 * $1 ids, $2 codes, $3 messages, $4 delays (null: dead letter), $5 backoff ceilings, $6 retryable.
 */
export const MARK_FAILED_SQL = `
WITH f AS (
  -- One failure time per item: the delay counts from exactly the recorded failure.
  SELECT *, clock_timestamp() AS failed_at
  FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::int[], $6::boolean[])
    AS f (id, code, message, delay_ms, ceiling_ms, retryable)
), upd AS (
  UPDATE tds_sync_queue q
  SET attempt = q.attempt + 1,
      status = CASE WHEN f.delay_ms IS NULL THEN 'dead_letter' ELSE 'retry' END,
      next_attempt_at = CASE WHEN f.delay_ms IS NULL THEN q.next_attempt_at
                             ELSE f.failed_at + f.delay_ms * interval '1 millisecond' END,
      last_error = f.message, error_code = f.code, started_at = now(),
      completed_at = CASE WHEN f.delay_ms IS NULL THEN f.failed_at END
  FROM f
  WHERE q.id = f.id
  RETURNING q.id, q.source, q.entity_type, q.source_entity_id, q.operation, q.version, q.payload,
            q.attempt, q.status, q.next_attempt_at, q.started_at, q.sync_run_id,
            COALESCE('inbox:' || q.inbox_event_id, 'sync-run:' || q.sync_run_id) AS correlation_id,
            q.inbox_event_id
), attempts AS (
  INSERT INTO tds_queue_attempts
    (queue_item_id, attempt, started_at, failed_at, outcome, error_code, error, delay_ms, ceiling_ms, next_attempt_at)
  SELECT u.id, u.attempt, u.started_at, f.failed_at, u.status, f.code, f.message, f.delay_ms,
         f.ceiling_ms, CASE WHEN u.status = 'retry' THEN u.next_attempt_at END
  FROM upd u JOIN f USING (id)
), dead AS (
  INSERT INTO tds_dead_letters
    (queue_item_id, source, entity_type, source_entity_id, operation, version, inbox_event_id,
     sync_run_id, failure_reason, error_code, attempts, last_payload, transient, auto_replays)
  SELECT u.id, u.source, u.entity_type, u.source_entity_id, u.operation, u.version, u.inbox_event_id,
         u.sync_run_id, f.message, f.code, u.attempt, u.payload, f.retryable,
         COALESCE((SELECT p.auto_replays + (p.replayed_by = '${RETRY_JOB_ACTOR}')::int
                   FROM tds_dead_letters p WHERE p.replay_queue_item_id = u.id
                   ORDER BY p.id DESC LIMIT 1), 0)
  FROM upd u JOIN f USING (id)
  WHERE u.status = 'dead_letter'
  RETURNING id, queue_item_id, error_code, failure_reason, attempts
), events AS (
  INSERT INTO tds_outbox (event_type, correlation_id, causation_id, payload)
  SELECT 'tds.entity.sync_failed', u.correlation_id, 'queue-item:' || u.id,
         jsonb_build_object('source', u.source, 'entityType', u.entity_type,
           'sourceEntityId', u.source_entity_id, 'queueItemId', u.id, 'errorCode', f.code,
           'errorMessage', f.message, 'attempt', u.attempt,
           'nextAttemptAt', CASE WHEN u.status = 'retry' THEN u.next_attempt_at END)
  FROM upd u JOIN f USING (id)
  UNION ALL
  SELECT 'tds.deadletter.added', u.correlation_id, 'queue-item:' || u.id,
         jsonb_build_object('deadLetterId', d.id, 'queueItemId', u.id, 'entityType', u.entity_type,
           'sourceEntityId', u.source_entity_id, 'errorCode', d.error_code,
           'failureReason', d.failure_reason, 'attempts', d.attempts)
  FROM dead d JOIN upd u ON u.id = d.queue_item_id
  RETURNING 1
), metrics AS (${countFailed('upd')}
)
SELECT
  (SELECT count(*)::int FROM events) AS events,
  COALESCE((SELECT jsonb_agg(jsonb_build_object('syncRunId', r.sync_run_id, 'failed', r.n))
            FROM (SELECT sync_run_id, count(*)::int AS n FROM upd
                  WHERE sync_run_id IS NOT NULL AND status = 'dead_letter' GROUP BY sync_run_id) r),
           '[]'::jsonb) AS runs,
  COALESCE((SELECT jsonb_object_agg(status, n)
            FROM (SELECT status, count(*)::int AS n FROM upd GROUP BY status) s), '{}'::jsonb) AS statuses`;
