/**
 * How a run closes, in one place for the two statements that close runs: the workers' last
 * statement of a batch (FINISH_BATCH_SQL), when the run's last item finishes, and the job that
 * closes webhook runs whose last item finished before their hour was over
 * (CLOSE_ENDED_WEBHOOK_RUNS_SQL).
 *
 * A webhook run rolls: every delivery of its source stored within its hour joins it, so it stays
 * running, however often the workers catch up with it, until the hour is over and a settle
 * margin more. The margin covers an ingestion statement that began within the hour (its now()
 * names the hour) and commits a little after it: a run closed before that commit would then
 * gain items. A group's statement takes milliseconds; PostgreSQL cancels any statement after
 * DATABASE_STATEMENT_TIMEOUT_MS (30 s by default), so a minute leaves room; the embedded
 * PGlite runs one statement at a time, so there nothing commits behind a closer's back.
 */
const WEBHOOK_RUN_CLOSES_AFTER = `interval '1 hour 1 minute'`;

/** The webhook run `r` can close: its hour and the margin are over (on the database clock). */
export const webhookHourOver = (r: string) => `${r}.window_start + ${WEBHOOK_RUN_CLOSES_AFTER} <= now()`;

/**
 * Items of the run `r` still to be applied (pending, or waiting for a retry): a probe of
 * tds_sync_queue_run_open_idx, which holds only open items. A webhook run's stored total is what
 * the workers have finished (its deliveries keep arriving, and raising the row's total on every
 * ingestion group would make concurrent groups queue on that one row lock until each commits),
 * so what it reports as total adds these.
 */
export const openRunItems = (r: string) =>
  `(SELECT count(*)::int FROM tds_sync_queue q WHERE q.sync_run_id = ${r}.id AND q.status IN ('pending', 'retry'))`;

/**
 * The status of the open run `r` (columns id, kind, window_start, mode, fetched_at, total and the
 * counters as they are now): running while items are unprocessed, while a webhook run's hour is
 * not over or items of it are still open, or while a pull run is still fetching pages (its total
 * grows page by page; a pull run has a mode); then completed when nothing failed, failed when nothing succeeded or was
 * skipped, else partial. A batch that sees another batch's items still open leaves the
 * run to that batch or to the webhook-runs job.
 */
export const nextRunStatus = (r: string) => `
    CASE
      WHEN ${r}.processed < ${r}.total THEN 'running'
      WHEN ${r}.kind = 'webhook' AND (NOT (${webhookHourOver(r)}) OR ${openRunItems(r)} > 0) THEN 'running'
      WHEN ${r}.mode IS NOT NULL AND ${r}.fetched_at IS NULL THEN 'running'
      WHEN ${r}.failed = 0 THEN 'completed'
      WHEN ${r}.succeeded + ${r}.skipped = 0 THEN 'failed'
      ELSE 'partial'
    END`;

export const CLOSED_RUN_STATUSES = `('completed', 'partial', 'failed')`;

/**
 * The closing events of the runs in `runs` (id, entity_type, total, succeeded, failed, skipped,
 * started_at, completed_at, next_status) that `next_status` closes: tds.sync.completed for
 * completed and partial, tds.sync.failed for failed. Returns a row per event.
 */
export const insertClosingEvents = (runs: string) => `
  INSERT INTO tds_outbox (event_type, correlation_id, causation_id, payload)
  SELECT CASE WHEN c.next_status = 'failed' THEN 'tds.sync.failed' ELSE 'tds.sync.completed' END,
         'sync-run:' || c.id, 'sync-run:' || c.id,
         CASE WHEN c.next_status = 'failed'
           THEN jsonb_build_object('syncRunId', c.id, 'entityType', c.entity_type, 'errorCode', 'SYNC.ALL_ITEMS_FAILED',
                  'errorMessage', format('all %s items of the run failed', c.total))
           ELSE jsonb_build_object('syncRunId', c.id, 'entityType', c.entity_type, 'total', c.total,
                  'succeeded', c.succeeded, 'failed', c.failed, 'skipped', c.skipped,
                  'durationMs', (extract(epoch FROM c.completed_at - c.started_at) * 1000)::bigint)
         END
  FROM ${runs} c
  WHERE c.next_status IN ${CLOSED_RUN_STATUSES}
  RETURNING 1`;
