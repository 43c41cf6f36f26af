/*
 * One batch of retention per statement: $1 cutoff (older than it goes), $2 batch size; one row
 * back per row deleted. Each runs in autocommit, so its locks and WAL stay small beside live
 * work. The rows are picked by walking an index in age order and stopping at the batch size,
 * so a batch costs the same however much history remains; FOR UPDATE SKIP LOCKED passes over
 * rows a worker or another instance's retention holds instead of waiting for them (a later
 * run takes them). The inbox's batch is PurgeInboxCommand's.
 *
 * The picked keys go to the DELETE as an array (`= ANY(ARRAY(…))`): then the delete probes
 * the primary key for each, where `IN (…)` lets the planner hash-join the whole table instead,
 * which it does once the table is large enough to matter. Tables keyed by two columns pass
 * row addresses (ctid): stable here, since the rows are locked from the pick to the delete.
 */

/**
 * Finished queue items and their attempts. The finished-items index holds only closed items,
 * so open ones and dead_letter items (which a dead letter records) are never walked. A replay
 * item needs no guard for its dead letter: it finishes after the replay that created it, so
 * once it is past the cutoff its dead letter was replayed before the cutoff too, and is closed
 * (see DELETE_CLOSED_DEAD_LETTERS_SQL).
 */
export const DELETE_FINISHED_QUEUE_ITEMS_SQL = `
WITH gone AS (
  DELETE FROM tds_sync_queue
  WHERE id = ANY(ARRAY(
    SELECT q.id
    FROM tds_sync_queue q
    WHERE q.status IN ('completed', 'unchanged', 'superseded', 'cancelled')
      AND q.completed_at < $1
    ORDER BY q.completed_at
    LIMIT $2
    FOR UPDATE SKIP LOCKED
  ))
  RETURNING id
), attempts AS (
  DELETE FROM tds_queue_attempts WHERE queue_item_id = ANY(ARRAY(SELECT id FROM gone))
)
SELECT id FROM gone`;

/**
 * Closed dead letters, with the dead_letter item each one recorded and its attempts: the
 * finished-items pass never takes a dead_letter item, so once its dead letter is gone nothing
 * else would. A dead letter is closed by its resolution, or by its replay: the replay item
 * carries on from there, and an unresolved but replayed dead letter would otherwise stay for
 * ever. Resolved ones are walked on the resolved-at index, then, to fill the batch, replayed
 * ones on the replayed-at index (both age walks; one index on COALESCE(resolved_at,
 * replayed_at) would be a single walk, but an expression index is one the entities cannot
 * describe). A replayed one whose replay item is still open stays: cancelling that item's
 * run reopens this dead letter, and if the item dead-letters again its new dead letter takes
 * the count of automatic replays from this one.
 */
export const DELETE_CLOSED_DEAD_LETTERS_SQL = `
WITH resolved AS (
  SELECT id FROM tds_dead_letters
  WHERE resolved_at < $1
  ORDER BY resolved_at
  LIMIT $2
  FOR UPDATE SKIP LOCKED
), replayed AS (
  SELECT d.id FROM tds_dead_letters d
  WHERE d.replayed_at < $1 AND d.resolved_at IS NULL
    AND NOT EXISTS (SELECT 1 FROM tds_sync_queue q
                    WHERE q.id = d.replay_queue_item_id AND q.status IN ('pending', 'retry', 'processing'))
  ORDER BY d.replayed_at
  LIMIT $2 - (SELECT count(*) FROM resolved)
  FOR UPDATE SKIP LOCKED
), gone AS (
  DELETE FROM tds_dead_letters
  WHERE id = ANY(ARRAY(SELECT id FROM resolved UNION ALL SELECT id FROM replayed))
  RETURNING id, queue_item_id
), items AS (
  DELETE FROM tds_sync_queue
  WHERE id = ANY(ARRAY(SELECT queue_item_id FROM gone)) AND status = 'dead_letter'
  RETURNING id
), attempts AS (
  DELETE FROM tds_queue_attempts WHERE queue_item_id = ANY(ARRAY(SELECT id FROM items))
)
SELECT id FROM gone`;

/**
 * The highest outbox id every registered reaction's lost-delivery sweep has checked ($3: the
 * registered reactions, which only the running code knows). A row past it may still be found
 * lost and read back from the outbox by that sweep, however old. A registered reaction
 * without a cursor row (new, not swept yet) has checked nothing: NULL, and `o.id <= NULL`
 * keeps every row. Cursors of reactions no longer registered are left out, or a removed
 * reaction would hold the outbox for ever. With no reaction registered nothing sweeps: no bound.
 */
const SWEPT_UP_TO = `
SELECT CASE WHEN count(*) = 0 THEN 9223372036854775807
            WHEN count(c.reaction) = count(*) THEN min(c.checked_up_to) END
FROM unnest($3::text[]) AS r (reaction)
LEFT JOIN tds_reaction_cursors c USING (reaction)`;

/**
 * Dispatched outbox rows (dispatched-at index), up to the slowest sweep's cursor (SWEPT_UP_TO).
 * An event a reaction failure still waits on stays: redelivering the failure reads the event
 * back from here. Open failures are few, so checking them needs no index of its own.
 * $3 the registered reactions' names.
 */
export const DELETE_DISPATCHED_OUTBOX_SQL = `
DELETE FROM tds_outbox
WHERE id = ANY(ARRAY(
  SELECT o.id
  FROM tds_outbox o
  WHERE o.dispatched_at < $1
    AND o.id <= (${SWEPT_UP_TO})
    AND NOT EXISTS (SELECT 1 FROM tds_reaction_failures f WHERE f.event_id = o.event_id AND f.resolved_at IS NULL)
  ORDER BY o.dispatched_at
  LIMIT $2
  FOR UPDATE SKIP LOCKED
))
RETURNING id`;

/**
 * Reaction receipts (created-at index), with the outbox's cutoff. A receipt stops a
 * redelivered event from taking effect twice, so it stays while its event is still in the
 * outbox (one probe of the outbox's event-id index): the outbox pass keeps the events a
 * failure waits on and those a sweep has not checked, and without its receipt such an event
 * would look lost to the sweep and take effect again. Redelivery publishes an event to every
 * reaction, so this holds for every reaction's receipt of it.
 */
export const DELETE_REACTION_RECEIPTS_SQL = `
DELETE FROM tds_reaction_receipts
WHERE ctid = ANY(ARRAY(
  SELECT r.ctid
  FROM tds_reaction_receipts r
  WHERE r.created_at < $1
    AND NOT EXISTS (SELECT 1 FROM tds_outbox o WHERE o.event_id = r.event_id)
    AND NOT EXISTS (SELECT 1 FROM tds_reaction_failures f WHERE f.event_id = r.event_id AND f.resolved_at IS NULL)
  ORDER BY r.created_at
  LIMIT $2
  FOR UPDATE SKIP LOCKED
))
RETURNING event_id`;

/**
 * Resolved reaction failures. There is no resolved-at index on this small table: the primary
 * key is walked instead, ids following creation, and a failure resolves after it was created.
 */
export const DELETE_RESOLVED_REACTION_FAILURES_SQL = `
DELETE FROM tds_reaction_failures
WHERE id = ANY(ARRAY(
  SELECT id FROM tds_reaction_failures
  WHERE resolved_at < $1
  ORDER BY id
  LIMIT $2
  FOR UPDATE SKIP LOCKED
))
RETURNING id`;

/** Metric delta and rolled-up rows (bucket index). */
export const DELETE_METRICS_SQL = `
DELETE FROM tds_metrics
WHERE id = ANY(ARRAY(
  SELECT id FROM tds_metrics
  WHERE bucket < $1
  ORDER BY bucket
  LIMIT $2
  FOR UPDATE SKIP LOCKED
))
RETURNING id`;

/** Job runs (started-at index); their ticks are long past, so no tick can be claimed again. */
export const DELETE_JOB_RUNS_SQL = `
DELETE FROM tds_job_runs
WHERE ctid = ANY(ARRAY(
  SELECT ctid FROM tds_job_runs
  WHERE started_at < $1
  ORDER BY started_at
  LIMIT $2
  FOR UPDATE SKIP LOCKED
))
RETURNING tick`;

/**
 * Resolved alerts. They are walked on the triggered-at index: an alert is resolved after it
 * was triggered, so every alert resolved before the cutoff was triggered before it too, which
 * bounds the walk.
 */
export const DELETE_RESOLVED_ALERTS_SQL = `
DELETE FROM tds_alerts
WHERE id = ANY(ARRAY(
  SELECT id FROM tds_alerts
  WHERE triggered_at < $1 AND status = 'resolved' AND resolved_at < $1
  ORDER BY triggered_at, id
  LIMIT $2
  FOR UPDATE SKIP LOCKED
))
RETURNING id`;
