import { preparedSql } from '../../../shared/database/sql.js';
import { insertClosingEvents, nextRunStatus } from '../queue/close-sync-runs.sql.js';
import { inboxDeliveries, insertInboxRows, storedDeliveryItems } from '../ingestion/inbox-insert.sql.js';
import { insertQueueItemsFrom, NOTIFY_QUEUE } from '../queue/insert-queue-items.sql.js';
import { countReceived } from '../queue/metric-buckets.sql.js';

/*
 * Pull runs. Fetching leaves the database (HTTP to the source, rate-limited, for minutes), so a
 * run is not held by a transaction or a row lock but by a lease on its row: locked_by,
 * locked_until and lease_token, the fencing token, raised by every take-over. Every statement a
 * holder sends after the take-over names the token it holds and an unexpired lease
 * (`HELD_BY`); one naming an older token, or a lease past its time, changes nothing. So a holder
 * that was paused, partitioned or killed and comes back cannot write a page, move the cursor or
 * close the run once another instance may have taken it over.
 */

/** The channel instances that run pulls LISTEN on: a new run wakes them. */
export const PULL_CHANNEL = 'tds_pull';
/** Wakes the instances waiting for pull runs; delivered at commit. */
export const NOTIFY_PULL = `pg_notify('${PULL_CHANNEL}', '')`;

/**
 * A pull run still fetching pages, its columns prefixed by `p` (`r.`, or '' where PostgreSQL
 * takes bare column names): the predicate of the partial indexes tds_sync_runs_pull_open_idx and
 * tds_sync_runs_pull_fetching_uq, which the statements below must repeat to use them.
 */
export const pullFetching = (p: string) => `${p}kind = 'pull' AND ${p}fetched_at IS NULL AND ${p}status IN ('pending', 'running')`;

/** The run `r` is still held by the lease $2 (run id $1), unexpired, and still fetching. */
const HELD_BY = (r: string) =>
  `${r}.id = $1 AND ${r}.lease_token = $2 AND ${r}.locked_until > clock_timestamp() AND ${r}.status = 'running' AND ${r}.fetched_at IS NULL`;

/** A timestamptz as the API's UTC ISO-8601 text (`2026-12-04T10:15:30.000Z`), whatever the session's time zone. */
export const isoText = (at: string) => `to_char((${at}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const leaseFor = (ms: string) => `clock_timestamp() + make_interval(secs => ${ms}::float8 / 1000)`;

/**
 * Takes the oldest open pull run whose lease is free or has expired, with a new fencing token.
 * SKIP LOCKED: a run another instance is taking (or writing a page of) right now is not waited
 * for. The candidates come from tds_sync_runs_pull_open_idx (open pull runs only). The lease is
 * re-checked on the row's newest version, so two instances cannot both take one run.
 * $1 instance, $2 lease ms.
 */
export const CLAIM_PULL_RUN_SQL = `
UPDATE tds_sync_runs r
SET locked_by = $1, locked_until = ${leaseFor('$2')}, lease_token = r.lease_token + 1
WHERE r.id = (
    SELECT c.id FROM tds_sync_runs c
    WHERE ${pullFetching('c.')} AND c.mode IS NOT NULL
      AND (c.locked_until IS NULL OR c.locked_until <= clock_timestamp())
    ORDER BY c.created_at
    LIMIT 1
    FOR UPDATE SKIP LOCKED)
  AND (r.locked_until IS NULL OR r.locked_until <= clock_timestamp())
RETURNING r.id, r.source, r.account, r.entity_type AS "entityType", r.mode, r.lease_token::text AS "leaseToken", r.progress`;

/** Renews the lease ($3 ms) if still held; no row: lost (expired, taken over, cancelled). $1 run, $2 token. */
export const RENEW_PULL_LEASE_SQL = `
UPDATE tds_sync_runs r SET locked_until = ${leaseFor('$3')}
WHERE ${HELD_BY('r')}
RETURNING r.id`;

/** Records where the fetch stands (a pause and its reason) under the lease, renewing it. $1 run, $2 token, $3 progress, $4 lease ms. */
export const SET_PULL_PROGRESS_SQL = `
UPDATE tds_sync_runs r SET progress = r.progress || $3::jsonb, locked_until = ${leaseFor('$4')}
WHERE ${HELD_BY('r')}
RETURNING r.id`;

/** Gives the lease up at shutdown, so another instance resumes the run at once instead of after its expiry. $1 run, $2 token. */
export const RELEASE_PULL_LEASE_SQL = `
UPDATE tds_sync_runs r SET locked_by = NULL, locked_until = NULL
WHERE r.id = $1 AND r.lease_token = $2`;

/** At most this many invalid records of a run are kept in its error summary as examples (all are in the inbox). */
const INVALID_SAMPLES = 10;

/**
 * Fetched pages (one, or several fetched while the previous write was in flight), in one
 * statement under the lease: their records as inbox rows (the same rows,
 * keys and replay check as webhook deliveries: INSERT_INBOX_GROUP_SQL, so a record delivered by
 * webhook and pulled, or pulled twice across a page edge, is stored once), the queue items of
 * the valid new ones as items of the run, the run's progress and counts, and the cursor, all
 * committed together or not at all: the cursor never passes a record whose items are not
 * committed. Without the lease (`lease` is empty) nothing is written and `held` is false.
 *
 * An invalid record is kept as an `invalid` inbox row with its validation errors, counted into
 * the run as a failed item (so the run ends partial and its alert says so) and listed in the
 * run's error summary (the first few, with their inbox ids); the rest of the page is applied and
 * the cursor still advances past it. A record already stored (duplicate) counts nowhere but in
 * the progress. The cursor only moves forward (greatest), so a run reading older records than
 * the cursor (a full run, the overlap) never moves it back.
 * $1 run, $2 token, $3 the records, one per idempotency key (inbox rows as INSERT_INBOX_GROUP_SQL
 * takes them), $4 the progress after the last page, $5 the newest record time (null: none), $6
 * lease ms, $7 the replay window in seconds, $8 the records fetched (with those read twice).
 */
export const WRITE_PULL_PAGE_SQL = preparedSql(
  'tds_write_pull_page',
  `
WITH lease AS (
  SELECT r.id, r.source, r.account, r.entity_type FROM tds_sync_runs r WHERE ${HELD_BY('r')} FOR UPDATE
),
delivery AS (${inboxDeliveries('$3')}
  WHERE EXISTS (SELECT FROM lease)
),
inbox AS (${insertInboxRows('$7')}
),
queued AS (${insertQueueItemsFrom(storedDeliveryItems('$1::bigint'))}
),
invalid AS (
  SELECT inbox.id, d.source_entity_id, d.validation_errors
  FROM inbox JOIN delivery d USING (idempotency_key)
  WHERE d.status = 'invalid'
),
counts AS (
  SELECT (SELECT count(*) FROM queued)::int AS queued, (SELECT count(*) FROM invalid)::int AS invalid,
         (SELECT count(*) FROM inbox)::int AS stored
),
run AS (
  UPDATE tds_sync_runs r
  SET total = r.total + c.queued + c.invalid,
      processed = r.processed + c.invalid,
      failed = r.failed + c.invalid,
      locked_until = ${leaseFor('$6')},
      cursor_to = CASE WHEN $5::timestamptz IS NULL THEN r.cursor_to
                       ELSE ${isoText('greatest($5::timestamptz, r.cursor_to::timestamptz)')} END,
      progress = $4::jsonb || jsonb_build_object(
        'queued', coalesce((r.progress->>'queued')::bigint, 0) + c.queued,
        'invalid', coalesce((r.progress->>'invalid')::bigint, 0) + c.invalid,
        'duplicates', coalesce((r.progress->>'duplicates')::bigint, 0) + $8::int - c.stored),
      error_summary = CASE WHEN c.invalid = 0 THEN r.error_summary ELSE
        coalesce(r.error_summary, '{}'::jsonb) || jsonb_build_object(
          'invalidRecords', coalesce((r.error_summary->>'invalidRecords')::int, 0) + c.invalid,
          'invalidSamples', (
            SELECT coalesce(jsonb_agg(s.sample), '[]'::jsonb) FROM (
              SELECT sample FROM jsonb_array_elements(coalesce(r.error_summary->'invalidSamples', '[]'::jsonb)) AS sample
              UNION ALL
              (SELECT jsonb_build_object('inboxEventId', v.id, 'sourceEntityId', v.source_entity_id, 'errors', v.validation_errors)
               FROM invalid v ORDER BY v.id)
              LIMIT ${INVALID_SAMPLES}) s))
      END
  FROM lease, counts c
  WHERE r.id = lease.id
  RETURNING r.id
),
cursor AS (
  INSERT INTO tds_sync_cursors AS t (source, account, entity_type, last_modified_time, sync_run_id, updated_at)
  SELECT l.source, l.account, l.entity_type, $5::timestamptz, $1::bigint, now()
  FROM lease l
  WHERE $5::timestamptz IS NOT NULL
  ON CONFLICT (source, account, entity_type) DO UPDATE
  SET last_modified_time = greatest(t.last_modified_time, EXCLUDED.last_modified_time),
      sync_run_id = EXCLUDED.sync_run_id, updated_at = EXCLUDED.updated_at
  RETURNING 1
),
received AS (${countReceived('queued')}),
wake AS (
  SELECT ${NOTIFY_QUEUE} WHERE EXISTS (SELECT FROM queued)
)
SELECT EXISTS (SELECT FROM run) AS held, c.queued, c.invalid, c.stored,
       (SELECT count(*) FROM cursor)::int AS cursors, (SELECT count(*) FROM wake)::int AS woken
FROM counts c`,
);

/**
 * The last page is written: fetching is over, the lease given up, and the run closes now if the
 * workers have already processed all of its items (else the batch finishing the last one closes
 * it, FINISH_BATCH_SQL), by the rule every run closes by (nextRunStatus). $1 run, $2 token,
 * $3 the final progress.
 */
export const FINISH_PULL_FETCH_SQL = `
WITH locked AS (
  SELECT r.id, r.kind, r.window_start, r.mode, clock_timestamp() AS fetched_at,
         r.total, r.processed, r.succeeded, r.failed, r.skipped
  FROM tds_sync_runs r
  WHERE ${HELD_BY('r')}
  FOR UPDATE
), decided AS (
  SELECT l.*, ${nextRunStatus('l')} AS next_status FROM locked l
), runs AS (
  UPDATE tds_sync_runs r
  SET fetched_at = x.fetched_at, locked_by = NULL, locked_until = NULL, progress = r.progress || $3::jsonb,
      status = x.next_status,
      completed_at = CASE WHEN x.next_status = 'running' THEN NULL ELSE clock_timestamp() END
  FROM decided x
  WHERE r.id = x.id
  RETURNING r.id, r.entity_type, r.total, r.succeeded, r.failed, r.skipped, r.started_at, r.completed_at, x.next_status
), closed AS (${insertClosingEvents('runs')}
)
SELECT (SELECT next_status FROM runs) AS status,
       CASE WHEN (SELECT count(*) FROM closed) > 0 THEN pg_notify('tds_outbox', '') END AS notified`;

/**
 * The run cannot go on (the source refuses us, a page stays broken, the source stays away): it
 * fails with the error ($3: errorCode, errorMessage, and httpStatus and bodyExcerpt when an answer
 * came) and its tds.sync.failed event. Its cursor stays where the last committed page left it;
 * items already queued are still applied and counted. $1 run, $2 token, $4 the final progress.
 */
export const FAIL_PULL_RUN_SQL = `
WITH runs AS (
  UPDATE tds_sync_runs r
  SET status = 'failed', completed_at = clock_timestamp(), fetched_at = clock_timestamp(),
      locked_by = NULL, locked_until = NULL, progress = r.progress || $4::jsonb,
      error_summary = coalesce(r.error_summary, '{}'::jsonb) || $3::jsonb
  WHERE ${HELD_BY('r')}
  RETURNING r.id, r.entity_type
), failed AS (
  INSERT INTO tds_outbox (event_type, correlation_id, causation_id, payload)
  SELECT 'tds.sync.failed', 'sync-run:' || f.id, 'sync-run:' || f.id,
         jsonb_build_object('syncRunId', f.id, 'entityType', f.entity_type,
                            'errorCode', $3::jsonb->>'errorCode', 'errorMessage', $3::jsonb->>'errorMessage')
  FROM runs f
  RETURNING 1
)
SELECT (SELECT count(*) FROM runs)::int AS failed, pg_notify('tds_outbox', '') AS notified`;
