import { preparedSql } from '../../../shared/database/sql.js';
import { countReceived } from './metric-buckets.sql.js';
/** The fields of a queue item as its inserter hands it over, one JSON object per item. */
export const QUEUE_ITEM_FIELDS = `source text, inbox_event_id bigint, sync_run_id bigint, entity_type text, source_entity_id text,
  operation text, version bigint, payload jsonb, priority smallint, max_attempts int`;
const QUEUE_ITEM_COLUMNS = `source, inbox_event_id, sync_run_id, entity_type, source_entity_id, operation, version, payload,
  priority, max_attempts`;

/**
 * The one insert into tds_sync_queue, from `items`: a relation aliased `i` with the columns of
 * QUEUE_ITEM_FIELDS and `n`, the item's place in its input. Rows are inserted in input order
 * (ORDER BY n) and ids come from a sequence as rows are inserted, so ordering the returned ids
 * gives them back in input order; this also makes a later item the later arrival, which wins
 * at equal version. Payloads are stored as sent. Every enqueue path (bulk, webhooks, replay)
 * goes through here, standalone or as a step of a larger statement; such a statement also
 * counts them with `countReceived`.
 */
export function insertQueueItemsFrom(items: string): string {
  return `
  INSERT INTO tds_sync_queue (${QUEUE_ITEM_COLUMNS}, status, attempt, next_attempt_at)
  SELECT ${QUEUE_ITEM_COLUMNS.replace(/(\w+)/g, 'i.$1')}, 'pending', 0, now()
  FROM ${items}
  ORDER BY i.n
  RETURNING id, inbox_event_id, sync_run_id, source, entity_type`;
}

/** `n` for the rows of a JSON array of queue items. */
const NUMBERED_ITEMS = `ROWS FROM (jsonb_to_recordset($1::jsonb) AS (${QUEUE_ITEM_FIELDS}))
       WITH ORDINALITY AS i (${QUEUE_ITEM_COLUMNS}, n)`;

/**
 * Queue items in one multi-row insert. The items arrive as one JSON array (a row object per
 * item, payloads embedded): one parameter whatever the batch size, parsed once by PostgreSQL,
 * where one array per column would make both sides escape and parse every payload twice.
 * $1 the items.
 */
export const INSERT_QUEUE_ITEMS_SQL = preparedSql(
  'tds_insert_queue_items',
  `
WITH inserted AS (${insertQueueItemsFrom(NUMBERED_ITEMS)}),
received AS (${countReceived('inserted')})
SELECT id FROM inserted ORDER BY id`,
);

/** Wakes the workers (LISTEN tds_queue); PostgreSQL delivers it at commit, never before. */
export const NOTIFY_QUEUE = `pg_notify('tds_queue', '')`;
export const NOTIFY_QUEUE_SQL = `SELECT ${NOTIFY_QUEUE}`;
