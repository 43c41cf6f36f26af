/**
 * The group commit (InboxWriter), statement by statement, all in one transaction: insert the
 * group's inbox rows, queue the items of the rows actually inserted (the shared
 * QueueItemInserter, which also notifies the workers), look up the rows whose keys were
 * taken already, commit.
 */

/**
 * Every delivery of the group in one multi-row insert, from one JSON array (a row object per
 * delivery, bodies embedded: parsed once, never escaped into array literals). A key already
 * stored, committed or not, is skipped instead of failing the statement: when another
 * transaction holds the same key uncommitted (a concurrent identical delivery on another group
 * or instance), this statement waits for it, then skips the row if it committed or inserts if
 * it rolled back; either way no unique violation reaches anyone. Rows are inserted in key
 * order, so two groups sharing two keys wait on each other in the same order and cannot
 * deadlock. Returns the rows inserted; a key missing from the result was a duplicate.
 * $1 the deliveries.
 */
export const INSERT_INBOX_EVENTS_SQL = `
INSERT INTO tds_inbox_events
  (source, entity_type, source_entity_id, operation, version, idempotency_key, content_hash,
   raw_payload, headers, signature_verified, received_at, status, validation_errors)
SELECT d.source, d.entity_type, d.source_entity_id, d.operation, d.version, d.idempotency_key, d.content_hash,
       d.raw_payload, d.headers, d.signature_verified, d.received_at, d.status, d.validation_errors
FROM jsonb_to_recordset($1::jsonb) AS d
       (source text, entity_type text, source_entity_id text, operation text, version bigint, idempotency_key text,
        content_hash text, raw_payload jsonb, headers jsonb, signature_verified boolean, received_at timestamptz,
        status text, validation_errors jsonb)
ORDER BY d.idempotency_key
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING id, idempotency_key AS "idempotencyKey"`;

/**
 * The stored rows behind the group's duplicate keys, in one query. A new statement sees what
 * the insert above waited for: the conflicting rows are committed.
 */
export const FIND_INBOX_EVENTS_BY_KEY_SQL = `
SELECT id, idempotency_key AS "idempotencyKey", status, validation_errors AS "validationErrors"
FROM tds_inbox_events
WHERE idempotency_key = ANY ($1::text[])`;
