import { QUEUE_ITEM_FIELDS } from '../queue/insert-queue-items.sql.js';

/*
 * The pieces both statements that store deliveries share: the webhook group commit
 * (INSERT_INBOX_GROUP_SQL) and a pull run's pages (WRITE_PULL_PAGE_SQL). Each takes its
 * deliveries as one JSON array of inbox rows (toInboxRow), names them `delivery`, inserts them
 * as `inbox` and queues the items of those stored, so a record is stored and keyed the same way
 * whichever way it came.
 */

/** The deliveries of the JSON array `param`, numbered (`ordinality`): select from it as `delivery`. */
export const inboxDeliveries = (param: string) => `
  SELECT *
  FROM ROWS FROM (jsonb_to_recordset(${param}::jsonb) AS
         (source text, entity_type text, source_entity_id text, operation text, version bigint, idempotency_key text,
          content_hash text, raw_payload jsonb, headers jsonb, signature_verified boolean, received_at timestamptz,
          status text, validation_errors jsonb, replay_key text, items jsonb))
       WITH ORDINALITY AS d`;

/**
 * Inserts the deliveries of `delivery` whose key is not stored yet (a conflicting key, committed
 * or not, is skipped: the insert waits for an uncommitted one), in key order so two statements
 * sharing keys wait on each other in the same order; and none that replays content an earlier
 * delivery of a receipt-time versioned record had within `windowS` seconds (0: no check).
 * Returns the rows stored: id, idempotency_key.
 */
export const insertInboxRows = (windowS: string) => `
  INSERT INTO tds_inbox_events
    (source, entity_type, source_entity_id, operation, version, idempotency_key, content_hash,
     raw_payload, headers, signature_verified, received_at, status, validation_errors, replay_key)
  SELECT d.source, d.entity_type, d.source_entity_id, d.operation, d.version, d.idempotency_key, d.content_hash,
         d.raw_payload, d.headers, d.signature_verified, d.received_at, d.status, d.validation_errors, d.replay_key
  FROM delivery d
  WHERE d.replay_key IS NULL OR ${windowS} = 0
     OR NOT EXISTS (SELECT FROM tds_inbox_events e
                    WHERE e.replay_key = d.replay_key AND e.received_at > d.received_at - make_interval(secs => ${windowS}))
  ORDER BY d.idempotency_key
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING id, idempotency_key`;

/**
 * The queue items of the valid deliveries stored (`inbox` joined to `delivery`), for
 * insertQueueItemsFrom, as items of the run `syncRunId` (an expression; `join` may bring in what
 * it reads). An item whose payload is a member of its delivery's body names it in `payload_key`
 * instead of carrying it. `n` orders them by delivery, then item, in one bigint (a delivery's
 * item count stays far below 2^32), so the one sort is the queue insert's.
 */
export const storedDeliveryItems = (syncRunId: string, join = '') => `(
    SELECT it.source, inbox.id AS inbox_event_id, ${syncRunId} AS sync_run_id, it.entity_type, it.source_entity_id, it.operation,
           it.version, coalesce(it.payload, d.raw_payload -> it.payload_key) AS payload, it.priority, it.max_attempts,
           d.ordinality * 4294967296 + it.ordinality AS n
    FROM inbox
    JOIN delivery d USING (idempotency_key)${join}
    CROSS JOIN LATERAL ROWS FROM (jsonb_to_recordset(d.items) AS (${QUEUE_ITEM_FIELDS}, payload_key text)) WITH ORDINALITY AS it
    WHERE d.status = 'queued'
  ) AS i`;
