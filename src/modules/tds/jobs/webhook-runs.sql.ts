import { insertClosingEvents, nextRunStatus, openRunItems, webhookHourOver } from '../queue/close-sync-runs.sql.js';

/**
 * Closes the webhook runs whose hour is over and whose items have all been processed: those whose
 * last item finished while the hour was still on, which FINISH_BATCH_SQL therefore left running
 * (a run whose last item finishes later is closed by that batch). Same rule and events as there
 * (close-sync-runs.sql.ts), in one statement per tick.
 *
 * The candidates come from tds_sync_runs_webhook_open_idx (open webhook runs only: one per source
 * and hour not closed yet). A run locked by a batch or an ingestion group is skipped, not waited
 * for: a batch finishing its last items closes it itself, and otherwise the next tick does, so
 * the job never queues behind the hot paths. A run locked here is re-checked on its newest
 * version (READ COMMITTED), so what a batch or group committed meanwhile counts.
 */
export const CLOSE_ENDED_WEBHOOK_RUNS_SQL = `
WITH due AS (
  SELECT r.id, r.kind, r.window_start, r.mode, r.fetched_at, r.total, r.processed, r.succeeded, r.failed, r.skipped
  FROM tds_sync_runs r
  WHERE r.kind = 'webhook' AND r.status = 'running' AND ${webhookHourOver('r')} AND ${openRunItems('r')} = 0
  ORDER BY r.id
  FOR UPDATE OF r SKIP LOCKED
), runs AS (
  UPDATE tds_sync_runs r
  SET status = ${nextRunStatus('d')}, completed_at = clock_timestamp()
  FROM due d
  WHERE r.id = d.id
  RETURNING r.id, r.entity_type, r.total, r.succeeded, r.failed, r.skipped, r.started_at, r.completed_at, r.status AS next_status
), closed AS (${insertClosingEvents('runs')}
)
SELECT (SELECT count(*) FROM runs)::int AS closed,
       CASE WHEN (SELECT count(*) FROM closed) > 0 THEN pg_notify('tds_outbox', '') END AS notified`;
