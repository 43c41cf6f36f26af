import { preparedSql } from '../../../../shared/database/sql.js';
import { insertStartedEvents } from '../../queue/create-sync-run.sql.js';
import { inboxDeliveries, insertInboxRows, storedDeliveryItems } from '../../ingestion/inbox-insert.sql.js';
import { insertQueueItemsFrom, NOTIFY_QUEUE } from '../../queue/insert-queue-items.sql.js';
import { countReceived } from '../../queue/metric-buckets.sql.js';

/** The hour a group's deliveries are counted in: the statement's start on the database clock, in UTC whatever the session's time zone. */
const WEBHOOK_HOUR = `date_trunc('hour', now(), 'UTC')`;

/**
 * The group commit (InboxWriter) in one statement, so one round trip and one implicit
 * transaction per group: a group's latency is what caps ingestion (each round trip waits
 * behind the HTTP work on the app's event loop), and BEGIN / insert / insert / notify /
 * COMMIT took five. The statement inserts the group's inbox rows, queues the items of the
 * rows actually inserted (through the shared queue insert) and wakes the workers, all
 * committed together or not at all.
 *
 * Every delivery arrives in one JSON array (a row object per delivery, bodies and items
 * embedded: parsed once, never escaped into array literals). A key already stored, committed
 * or not, is skipped instead of failing the statement: when another transaction holds the
 * same key uncommitted (a concurrent identical delivery in another group or instance), the
 * insert waits for it, then skips the row if it committed or inserts if it rolled back;
 * either way no unique violation reaches anyone. Rows are inserted in key order, so two groups
 * sharing two keys wait on each other in the same order and cannot deadlock. A key missing
 * from the result was a duplicate (FIND_INBOX_EVENTS_BY_KEY_SQL reads what it became).
 * So is a replay: a delivery of a record versioned by its receipt time (`replay_key` set, see
 * deliveryReplayKey) whose content an earlier delivery received within the replay window ($2,
 * seconds; 0 turns the check off) already had. At a new receipt time it would otherwise win over every edit since; it
 * is answered as that earlier delivery's duplicate. Two such deliveries in flight at once, in
 * different transactions, may both be stored: that is a redelivery of the same content, and the
 * second applies as `unchanged`.
 * Queue items are inserted in delivery order, then item order: `n` packs the two ordinalities
 * into one bigint (a delivery's item count stays far below 2^32), where a row_number() window
 * had to sort every item row beside its delivery's whole body before the payload was picked
 * out of it (one 240 KB delivery of 3,000 items: 1.4 GB sorted on disk, 6.6 s). So the only
 * sort of items, the shared insert's ORDER BY n, carries each item's own payload: storing a
 * delivery costs in proportion to its size. pg_notify runs only when something was queued,
 * and PostgreSQL delivers it at commit.
 *
 * The items join their source's rolling webhook run of the hour (WEBHOOK_HOUR), so the workers
 * count them like any run's (FINISH_BATCH_SQL). Every group of every instance joins the same
 * few run rows, so the statement never locks one in the common case: a row lock lasts until
 * commit, and a group that raised its run's total would make every concurrent group wait for
 * the one before it to commit (measured: ~15% of ingest throughput with groups in flight). So
 * the run is found without a lock (`seen`: the unique index's one-row probe, the statement's
 * snapshot) and the items are queued with its id; the run's total is not kept here but grows
 * as the workers finish its items, and readers add the items still open (openRunItems,
 * close-sync-runs.sql.ts). The hour is the statement's now(), and a run closes only a minute
 * after its hour and once none of its items is open: a group that began within the hour
 * commits before its run can close.
 * Only the first group of a source's hour (or one whose snapshot predates the run's commit)
 * creates it (`created`): an insert whose conflict arm changes nothing but returns the id (and
 * waits for a creator still committing); that is once per source and hour. Its tds.sync.started
 * event, with the items of the group that created it as its total so far, is written only when
 * the row is new.
 * $1 the deliveries, each with `items`: its queue items (QUEUE_ITEM_FIELDS, inbox_event_id null);
 * an item whose payload is a member of the body (Zoho's record under its module key) names
 * it in `payload_key` instead of carrying it, so the group's JSON holds each body once.
 */
export const INSERT_INBOX_GROUP_SQL = preparedSql(
  'tds_insert_inbox_group',
  `
WITH delivery AS (${inboxDeliveries('$1')}
),
inbox AS (${insertInboxRows('$2')}
),
-- Per source, the items of the deliveries stored: each becomes a queue item of the source's run.
run_items AS (
  SELECT d.source, sum(jsonb_array_length(d.items))::int AS items
  FROM inbox
  JOIN delivery d USING (idempotency_key)
  WHERE d.status = 'queued'
  GROUP BY d.source
  HAVING sum(jsonb_array_length(d.items)) > 0
),
seen AS (
  SELECT r.id, r.source
  FROM tds_sync_runs r
  WHERE r.kind = 'webhook' AND r.window_start = ${WEBHOOK_HOUR} AND r.source IN (SELECT source FROM run_items)
),
created AS (
  INSERT INTO tds_sync_runs (kind, source, status, total, started_at, window_start)
  SELECT 'webhook', ri.source, 'running', 0, now(), ${WEBHOOK_HOUR}
  FROM run_items ri
  WHERE ri.source NOT IN (SELECT source FROM seen)
  ORDER BY ri.source
  ON CONFLICT (source, window_start) WHERE kind = 'webhook' DO UPDATE SET total = tds_sync_runs.total
  -- xmax is 0 on a row this statement inserted, our own xid on one it updated: only new runs announce themselves.
  RETURNING id, kind, source, entity_type, xmax = 0 AS fresh
),
runs AS (
  SELECT id, source FROM seen
  UNION ALL
  SELECT id, source FROM created
),
queued AS (${insertQueueItemsFrom(storedDeliveryItems('runs.id', '\n    JOIN runs USING (source)'))}
),
started AS (${insertStartedEvents('(SELECT c.id, c.kind, c.source, c.entity_type, ri.items AS total FROM created c JOIN run_items ri USING (source) WHERE c.fresh) AS c')}
),
received AS (${countReceived('queued')}),
wake AS (
  SELECT ${NOTIFY_QUEUE} WHERE EXISTS (SELECT FROM queued)
  UNION ALL
  SELECT pg_notify('tds_outbox', '') WHERE EXISTS (SELECT FROM started)
)
SELECT inbox.id, inbox.idempotency_key AS "idempotencyKey",
       coalesce(array_agg(queued.id ORDER BY queued.id) FILTER (WHERE queued.id IS NOT NULL), '{}') AS "queueItemIds"
FROM inbox
LEFT JOIN queued ON queued.inbox_event_id = inbox.id
-- Reading wake is what runs it: PostgreSQL skips a plain SELECT in WITH that nothing reads.
WHERE (SELECT count(*) FROM wake) >= 0
GROUP BY inbox.id, inbox.idempotency_key`,
);

/**
 * The stored rows behind the group's duplicate keys and replays, in one query (the replay keys'
 * partial index bounds the second half). A new statement sees what the insert above waited
 * for: the conflicting rows are committed.
 */
export const FIND_INBOX_EVENTS_BY_KEY_SQL = `
SELECT id, idempotency_key AS "idempotencyKey", replay_key AS "replayKey", status, validation_errors AS "validationErrors"
FROM tds_inbox_events
WHERE idempotency_key = ANY ($1::text[]) OR replay_key = ANY ($2::text[])
ORDER BY id`;
