import { ALERT_SEVERITIES } from '../../../../shared/config/alerts.config.js';

/*
 * One statement per rule, each returning one row per condition that holds (none when healthy),
 * then one statement that writes the alerts. Every rule reads an index bounded by what it
 * looks at (open items, a window of metric minutes, open failures), never the history, so an
 * evaluation every few seconds stays cheap however large the tables grow. Windows over
 * `tds_metrics` take the minute buckets overlapping the window: a bucket is named by the
 * minute its writer's transaction started.
 */

/**
 * When the longest-waiting due item became due, by a loose scan of the claim indexes: the
 * head of each priority (1..10) of tds_sync_queue_claim_idx and the head of
 * tds_sync_queue_isolated_idx, eleven one-row probes. `min(next_attempt_at)` over the open
 * rows would read the whole backlog, which is largest exactly when this is asked most.
 */
const OLDEST_DUE = `
SELECT min(head) AS due FROM (
  SELECT (SELECT q.next_attempt_at FROM tds_sync_queue q
          WHERE q.status IN ('pending', 'retry') AND q.crash_count = 0 AND q.priority = p
          ORDER BY q.next_attempt_at LIMIT 1) AS head
  FROM generate_series(1, 10) AS p
  UNION ALL
  SELECT (SELECT q.next_attempt_at FROM tds_sync_queue q
          WHERE q.status IN ('pending', 'retry') AND q.crash_count > 0
          ORDER BY q.next_attempt_at LIMIT 1)
) heads`;

/**
 * Work due for at least $1 seconds, with how long the oldest has waited and how many are that
 * late. The count reads the open rows (tds_sync_queue_run_open_idx) and runs only when the
 * oldest is late, i.e. only while the alert holds.
 */
const overdueWork = (andAlso: string) => `
WITH oldest AS (${OLDEST_DUE})
SELECT NULL AS "entityType",
       floor(EXTRACT(EPOCH FROM now() - o.due))::int AS "oldestDueSeconds",
       (SELECT count(*)::int FROM tds_sync_queue
        WHERE status IN ('pending', 'retry') AND next_attempt_at <= now() - make_interval(secs => $1)) AS "lateItems"
FROM oldest o
WHERE o.due <= now() - make_interval(secs => $1)${andAlso}`;

/** Waiting items, when at least $1. The count reads only the open rows (the predicate of tds_sync_queue_run_open_idx). */
export const QUEUE_BACKLOG_SQL = `
SELECT NULL AS "entityType", b.items, b.pending, b.retry
FROM (
  SELECT count(*)::int AS items,
         count(*) FILTER (WHERE status = 'pending')::int AS pending,
         count(*) FILTER (WHERE status = 'retry')::int AS retry
  FROM tds_sync_queue
  WHERE status IN ('pending', 'retry')
) b
WHERE b.items >= $1`;

/** Sync lag: an item has been due for $1 seconds or more without being applied. */
export const SYNC_LAG_SQL = overdueWork('');

/**
 * Stalled workers: work overdue by $1 seconds, and in those $1 seconds no batch was claimed
 * (a tds_batch_claims row is written when a batch is claimed and deleted when it commits: a
 * recent one is a batch started in the window, committed or not) and none finished. Finished
 * batches are read from tds_metrics, whose buckets every batch writes in its own transaction
 * whatever its outcome, through its bucket index over the window's few minutes. The queue's
 * completed_at (tds_sync_queue_finished_idx) would miss batches whose items all failed, which
 * are progress too: the workers are alive. Minute buckets make the rule see progress up to a
 * minute older than the window, so it fires between $1 and $1 + 60 seconds after the last.
 * tds_batch_claims holds in-flight and dead batches only: a handful of rows, no index needed.
 */
export const WORKERS_STALLED_SQL = overdueWork(`
  AND NOT EXISTS (SELECT 1 FROM tds_batch_claims c WHERE c.claimed_at > now() - make_interval(secs => $1))
  AND NOT EXISTS (
    SELECT 1 FROM tds_metrics m
    WHERE m.bucket >= date_trunc('minute', now() - make_interval(secs => $1))
      AND m.applied + m.unchanged + m.superseded + m.failed > 0)`);

/**
 * Per entity type: failed attempts over all outcomes in the last $1 minutes, when there were
 * at least $2 outcomes and at least $3 percent failed. A few failures of a quiet type say
 * little, hence the minimum volume.
 */
export const FAILURE_RATE_SQL = `
SELECT m.entity_type AS "entityType", m.failed, m.volume
FROM (
  SELECT entity_type, sum(failed)::int AS failed, sum(applied + unchanged + superseded + failed)::int AS volume
  FROM tds_metrics
  WHERE bucket >= date_trunc('minute', now() - make_interval(mins => $1))
  GROUP BY entity_type
) m
WHERE m.volume >= $2 AND m.failed * 100 >= m.volume * $3
ORDER BY m.entity_type`;

/**
 * Dead letters created in the last $1 minutes and still open (neither resolved nor replayed),
 * when at least $2: a range of tds_dead_letters_waiting_idx (created_at, id). One already
 * closed, by an operator or by a replay (the retry job's too), is not growth to look into.
 */
export const DEAD_LETTER_GROWTH_SQL = `
SELECT NULL AS "entityType", d.created
FROM (
  SELECT count(*)::int AS created FROM tds_dead_letters
  WHERE resolved_at IS NULL AND replayed_at IS NULL AND created_at >= now() - make_interval(mins => $1)
) d
WHERE d.created >= $2`;

/**
 * Entity types without a successful sync (applied or unchanged) in the last $1 minutes that
 * had one in the last $2 hours: a type that never synced is not missed, one that stopped is.
 * The open alerts of this rule keep their types watched past the lookback, so an alert does
 * not resolve merely because the silence outlasted it; it resolves on the next success.
 * With the deliveries received for the type meanwhile (what is waiting on it).
 */
export const NO_SUCCESSFUL_SYNC_SQL = `
WITH recent AS (
  SELECT entity_type,
         max(bucket) FILTER (WHERE applied + unchanged > 0) AS last_success,
         sum(received) FILTER (WHERE bucket >= date_trunc('minute', now() - make_interval(mins => $1)))::int AS received
  FROM tds_metrics
  WHERE bucket >= now() - make_interval(hours => $2)
  GROUP BY entity_type
), watched AS (
  SELECT entity_type FROM recent WHERE last_success IS NOT NULL
  UNION
  SELECT entity_type FROM tds_alerts WHERE rule = 'no_successful_sync' AND status <> 'resolved'
)
SELECT w.entity_type AS "entityType", r.last_success AS "lastSuccessAt", COALESCE(r.received, 0) AS received
FROM watched w
LEFT JOIN recent r USING (entity_type)
WHERE r.last_success IS NULL OR r.last_success < date_trunc('minute', now() - make_interval(mins => $1))
ORDER BY w.entity_type`;

/**
 * Transactions of this database open for $1 seconds or more that hold back the xmin horizon
 * (a snapshot, an assigned xid, or idle in a transaction): while one lasts, vacuum cannot
 * remove the queue's and the outbox's dead rows and the claim indexes bloat. The evaluator's
 * own backend is left out. Seeing other roles' sessions takes pg_read_all_stats (or the same
 * role); on the embedded PGlite the view has no other sessions.
 */
export const LONG_TRANSACTION_SQL = `
SELECT NULL AS "entityType", count(*)::int AS transactions,
       max(floor(EXTRACT(EPOCH FROM now() - xact_start)))::int AS "oldestSeconds",
       array_agg(pid ORDER BY xact_start) AS pids
FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
  AND (backend_xmin IS NOT NULL OR backend_xid IS NOT NULL OR state LIKE 'idle in transaction%')
  AND xact_start <= now() - make_interval(secs => $1)
HAVING count(*) > 0`;

/**
 * The oldest undispatched outbox event, when $1 seconds old or more: the head of
 * tds_outbox_pending_idx (id order is creation order but for transactions committing out of
 * order, close enough for an age in seconds). The count reads the same index, only while late.
 */
export const OUTBOX_LAG_SQL = `
SELECT NULL AS "entityType", floor(EXTRACT(EPOCH FROM now() - o.created_at))::int AS "oldestSeconds",
       (SELECT count(*)::int FROM tds_outbox WHERE dispatched_at IS NULL) AS undispatched
FROM (SELECT created_at FROM tds_outbox WHERE dispatched_at IS NULL ORDER BY id LIMIT 1) o
WHERE o.created_at <= now() - make_interval(secs => $1)`;

/**
 * Open reaction failures (the open failures' unique index), when at least $1 or when any is
 * exhausted: an exhausted failure is retried no more and waits for someone, however few.
 */
export const FAILING_REACTIONS_SQL = `
SELECT NULL AS "entityType", f.open, f.exhausted, f.reactions
FROM (
  SELECT count(*)::int AS open,
         count(*) FILTER (WHERE exhausted_at IS NOT NULL)::int AS exhausted,
         array_agg(DISTINCT reaction ORDER BY reaction) AS reactions
  FROM tds_reaction_failures
  WHERE resolved_at IS NULL
) f
WHERE f.open >= $1 OR f.exhausted > 0`;

/**
 * Runs that ended partial or failed in the last $1 minutes, one row (one alert) each: the
 * subject is the run, so every unsuccessful run notifies once, and its alert resolves when it
 * falls out of the window. tds_sync_runs_unsuccessful_idx holds only such runs, by completion.
 */
export const SYNC_RUN_UNSUCCESSFUL_SQL = `
SELECT r.entity_type AS "entityType", 'sync-run:' || r.id AS subject, r.id AS "syncRunId", r.kind, r.source, r.status,
       r.total, r.succeeded, r.failed, r.skipped
FROM tds_sync_runs r
WHERE r.status IN ('partial', 'failed') AND r.completed_at >= now() - make_interval(mins => $1)
ORDER BY r.id`;

/**
 * Source accounts whose circuit breaker is open or half-open, one alert each (subject
 * `source:account`). Half-open still counts: Zoho has not answered yet, and a breaker that
 * half-opens on its timer with no call to try would otherwise clear the alert while Zoho is
 * still down. The row says the latest change any instance saw, and a success anywhere marks
 * it closed. tds_source_accounts holds one row per configured account: no index needed.
 */
export const SOURCE_CIRCUIT_OPEN_SQL = `
SELECT NULL AS "entityType", a.source || ':' || a.account AS subject, a.source, a.account, a.breaker_state AS state,
       a.breaker_changed_at AS "changedAt", a.last_error AS "lastError"
FROM tds_source_accounts a
WHERE a.breaker_state IN ('open', 'half_open')
ORDER BY a.source, a.account`;

/** Source accounts whose credentials were refused, one alert each, until a refresh succeeds. auth_error holds no secret. */
export const SOURCE_AUTH_FAILED_SQL = `
SELECT NULL AS "entityType", a.source || ':' || a.account AS subject, a.source, a.account, a.auth_error AS "authError"
FROM tds_source_accounts a
WHERE a.auth_state = 'failed'
ORDER BY a.source, a.account`;

/**
 * Source organisations (rate buckets, keyed `<connector>:<organisation id>`, e.g. `zoho:60012345`) that used at least
 * $1 percent of today's budget, the UTC day the bucket counts; a bucket last used on an
 * earlier day has used nothing today. One alert per bucket, whose key is its subject.
 */
export const SOURCE_BUDGET_SQL = `
SELECT NULL AS "entityType", b.key AS subject, b.day_requests AS "dayRequests", b.day_budget AS "dayBudget"
FROM tds_rate_buckets b
WHERE b.day = (now() AT TIME ZONE 'UTC')::date AND b.day_requests * 100 >= b.day_budget * $1
ORDER BY b.key`;

/**
 * Before an evaluation is written: a condition whose alert resolved less than $2 seconds ago,
 * and that has no open alert, reopens that alert (the latest of its fingerprint) as it was,
 * active or acknowledged, without a new triggered event; the write below then refreshes it
 * like any open alert. Resolved alerts are few (retention keeps 30 days of them), so finding
 * one by fingerprint needs no index of its own. `a.status = 'resolved'` is checked on the row
 * itself, so of two evaluators racing, the second finds it reopened and leaves it.
 * $1 conditions (JSON array, as below), $2 reopen window (seconds).
 */
export const REOPEN_RECENT_ALERTS_SQL = `
UPDATE tds_alerts a
SET status = CASE WHEN a.acknowledged_at IS NULL THEN 'active' ELSE 'acknowledged' END,
    resolved_at = NULL, updated_at = now()
FROM (
  SELECT DISTINCT ON (r.fingerprint) r.id
  FROM tds_alerts r
  JOIN jsonb_to_recordset($1::jsonb) AS c (fingerprint text) USING (fingerprint)
  WHERE r.status = 'resolved' AND r.resolved_at > now() - make_interval(secs => $2)
    AND NOT EXISTS (SELECT 1 FROM tds_alerts o WHERE o.fingerprint = r.fingerprint AND o.status <> 'resolved')
  ORDER BY r.fingerprint, r.resolved_at DESC
) recent
WHERE a.id = recent.id AND a.status = 'resolved'`;

const SEVERITY_RANK = `ARRAY[${ALERT_SEVERITIES.map((s) => `'${s}'`).join(', ')}]`;

/**
 * Writes one evaluation, in one statement:
 * - a condition without an open alert opens one: INSERT … ON CONFLICT DO NOTHING on the
 *   partial unique index tds_alerts_open_uq, so two evaluators racing insert one row, and
 *   only the one whose insert went in writes its triggered event;
 * - an open alert whose condition still holds takes the latest measurements, and notifies
 *   again when it is active (not acknowledged) and either its last notification is $3
 *   seconds old ($3 > 0) or its severity rose. The check re-reads the row when a concurrent
 *   evaluator updated it first, so one of them notifies;
 * - an open alert of an evaluated rule ($2) whose condition is gone is resolved, acknowledged
 *   or not. Rules not evaluated (disabled) keep their alerts as they are.
 * The triggered events go to the outbox with the alerts; the relay is woken at commit.
 * `open` counts the open alerts after this statement (its snapshot, plus what it opened,
 * minus what it resolved).
 * $1 conditions (JSON array), $2 evaluated rules, $3 re-notify seconds (0: never).
 */
export const APPLY_EVALUATION_SQL = `
WITH found AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS c (
    rule text, fingerprint text, severity text, title text, message text, "entityType" text,
    actual jsonb, threshold jsonb, "affectedCount" int)
), opened AS (
  INSERT INTO tds_alerts (rule, fingerprint, severity, title, message, entity_type, actual, threshold, last_notified_at)
  SELECT rule, fingerprint, severity, title, message, "entityType", actual, threshold, now()
  FROM found
  ORDER BY fingerprint
  ON CONFLICT (fingerprint) WHERE status <> 'resolved' DO NOTHING
  RETURNING id, fingerprint, rule, severity, message
), refreshed AS (
  UPDATE tds_alerts a
  SET actual = f.actual, threshold = f.threshold, severity = f.severity, title = f.title, message = f.message,
      updated_at = now(),
      last_notified_at = CASE
        WHEN a.status = 'active' AND (
          ($3::int > 0 AND COALESCE(a.last_notified_at, a.triggered_at) <= now() - make_interval(secs => $3::int))
          OR array_position(${SEVERITY_RANK}, f.severity) > array_position(${SEVERITY_RANK}, a.severity))
        THEN now() ELSE a.last_notified_at END
  FROM found f
  WHERE a.fingerprint = f.fingerprint AND a.status <> 'resolved'
  RETURNING a.id, a.fingerprint, a.rule, a.severity, a.message, a.last_notified_at = now() AS renotified
), closed AS (
  UPDATE tds_alerts a
  SET status = 'resolved', resolved_at = now(), updated_at = now()
  WHERE a.status <> 'resolved' AND a.rule = ANY ($2::text[])
    AND NOT EXISTS (SELECT 1 FROM found f WHERE f.fingerprint = a.fingerprint)
  RETURNING a.id
), notified AS (
  SELECT o.id, o.rule, o.severity, o.message, f."affectedCount" FROM opened o JOIN found f USING (fingerprint)
  UNION ALL
  SELECT r.id, r.rule, r.severity, r.message, f."affectedCount" FROM refreshed r JOIN found f USING (fingerprint) WHERE r.renotified
), events AS (
  INSERT INTO tds_outbox (event_type, correlation_id, causation_id, payload)
  SELECT 'tds.alert.triggered', 'alert:' || n.id, 'alert:' || n.id,
         jsonb_build_object('alertId', n.id, 'rule', n.rule, 'severity', n.severity, 'message', n.message,
                            'affectedCount', n."affectedCount")
  FROM notified n
  ORDER BY n.id
  RETURNING 1
)
SELECT (SELECT count(*) FROM opened)::int AS triggered,
       (SELECT count(*) FROM refreshed WHERE renotified)::int AS renotified,
       (SELECT count(*) FROM closed)::int AS resolved,
       ((SELECT count(*) FROM tds_alerts WHERE status <> 'resolved')
         + (SELECT count(*) FROM opened) - (SELECT count(*) FROM closed))::int AS open,
       CASE WHEN EXISTS (SELECT 1 FROM events) THEN pg_notify('tds_outbox', '') END AS notified`;
