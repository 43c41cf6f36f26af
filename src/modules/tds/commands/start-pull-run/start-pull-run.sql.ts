import { insertStartedEvents } from '../../queue/create-sync-run.sql.js';
import { isoText, NOTIFY_PULL, pullFetching } from '../../pull/pull-runs.sql.js';

/**
 * Starts a pull run, unless one is already fetching for the same source, account and entity
 * type (the partial unique index tds_sync_runs_pull_fetching_uq: nothing is returned then).
 * An incremental run starts $6 seconds before the cursor (the overlap: a record committed late at
 * the source carries an older time); a full run, or one with no cursor yet, from the beginning.
 * Its tds.sync.started event goes with it; NOTIFY wakes the instances that run pulls.
 * $1 source, $2 account, $3 entity type, $4 mode, $5 initial progress, $6 overlap seconds.
 */
export const START_PULL_RUN_SQL = `
WITH cursor AS (
  SELECT CASE WHEN $4 = 'incremental' THEN c.last_modified_time END AS at
  FROM (SELECT 1) one
  LEFT JOIN tds_sync_cursors c ON c.source = $1 AND c.account = $2 AND c.entity_type = $3
), run AS (
  INSERT INTO tds_sync_runs (kind, source, account, entity_type, mode, status, total, started_at, cursor_from, progress)
  SELECT 'pull', $1, $2, $3, $4, 'running', 0, now(), ${isoText('c.at')},
         $5::jsonb || jsonb_build_object('lowerBound', ${isoText('c.at - make_interval(secs => $6)')})
  FROM cursor c
  ON CONFLICT (source, account, entity_type) WHERE ${pullFetching('')}
  DO NOTHING
  RETURNING id, kind, source, entity_type, total
), started AS (${insertStartedEvents('run')}
)
SELECT id, pg_notify('tds_outbox', '') AS notified, ${NOTIFY_PULL} AS woken FROM run`;

/** The run fetching for that source, account and entity type, which a start found in its way. $1 source, $2 account, $3 entity type. */
export const FIND_FETCHING_RUN_SQL = `
SELECT r.id FROM tds_sync_runs r
WHERE ${pullFetching('r.')} AND r.source = $1 AND r.account = $2 AND r.entity_type = $3`;
