/**
 * Queue items in one multi-row insert. The items arrive as one JSON array (a row object per
 * item, payloads embedded): one parameter whatever the batch size, parsed once by PostgreSQL,
 * where one array per column would make both sides escape and parse every payload twice.
 * Ids come from a sequence as rows are inserted, and the rows are inserted in input order
 * (ORDER BY ordinality), so ordering the returned ids gives them back in input order; this
 * also makes a later item the later arrival, which wins at equal version. Payloads are stored
 * as sent. Every enqueue path (bulk, webhooks) goes through here. $1 the items.
 */
export const INSERT_QUEUE_ITEMS_SQL = `
WITH inserted AS (
  INSERT INTO tds_sync_queue
    (source, inbox_event_id, sync_run_id, entity_type, source_entity_id, operation, version, payload,
     priority, status, attempt, max_attempts, next_attempt_at)
  SELECT i.source, i.inbox_event_id, i.sync_run_id, i.entity_type, i.source_entity_id, i.operation,
         i.version, i.payload, i.priority, 'pending', 0, i.max_attempts, now()
  FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS
         (source text, inbox_event_id bigint, sync_run_id bigint, entity_type text, source_entity_id text,
          operation text, version bigint, payload jsonb, priority smallint, max_attempts int))
       WITH ORDINALITY AS i (source, inbox_event_id, sync_run_id, entity_type, source_entity_id, operation,
                             version, payload, priority, max_attempts, n)
  ORDER BY i.n
  RETURNING id
)
SELECT id FROM inserted ORDER BY id`;

/** Wakes the workers (LISTEN tds_queue); PostgreSQL delivers it at commit, never before. */
export const NOTIFY_QUEUE_SQL = `SELECT pg_notify('tds_queue', '')`;
