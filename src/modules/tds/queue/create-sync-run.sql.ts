/** The `tds.sync.started` events of the new runs in `runs` (id, kind, source, entity_type, total); a row per event. */
export const insertStartedEvents = (runs: string) => `
  INSERT INTO tds_outbox (event_type, correlation_id, causation_id, payload)
  SELECT 'tds.sync.started', 'sync-run:' || id, 'sync-run:' || id,
         jsonb_build_object('syncRunId', id, 'kind', kind, 'source', source, 'entityType', entity_type, 'total', total)
  FROM ${runs}
  RETURNING 1`;

/**
 * Starts a sync run (already running: its items are queued in the same transaction) and writes
 * its `tds.sync.started` event with it, waking the outbox relay at commit. Workers count the
 * run's items as they finish and close it with the last one (FINISH_BATCH_SQL).
 * $1 kind (bulk | replay | pull), $2 source, $3 entity type (null when mixed), $4 total.
 */
export const CREATE_SYNC_RUN_SQL = `
WITH run AS (
  INSERT INTO tds_sync_runs (kind, source, entity_type, status, total, started_at)
  VALUES ($1, $2, $3, 'running', $4, now())
  RETURNING id, kind, source, entity_type, total
), started AS (${insertStartedEvents('run')}
)
SELECT id, pg_notify('tds_outbox', '') AS notified FROM run`;
