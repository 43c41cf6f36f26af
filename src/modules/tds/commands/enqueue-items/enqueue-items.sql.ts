/**
 * The bulk enqueue, statement by statement, all in one transaction (the handler's order):
 * claim the idempotency key, create the run (CREATE_SYNC_RUN_SQL), insert the items and notify the workers (the
 * shared QueueItemInserter), record the response under the key.
 */

/**
 * Claims an idempotency key for this request, first thing in the transaction. Returns a row
 * when the key is ours: new, or older than 24 h (then it is reused as if new). Returns nothing
 * when a live key exists. A concurrent request holding the same key has its uncommitted row in
 * the unique index: this statement waits for that transaction to end, then sees its row (and
 * returns nothing) or, if it rolled back, inserts. So two requests with one key never both
 * enqueue. $1 api_key_id, $2 key, $3 request_hash.
 */
export const CLAIM_IDEMPOTENCY_KEY_SQL = `
INSERT INTO tds_idempotency_keys AS k (api_key_id, key, request_hash)
VALUES ($1, $2, $3)
ON CONFLICT (api_key_id, key) DO UPDATE
  SET request_hash = EXCLUDED.request_hash, status_code = NULL, response = NULL, created_at = now()
  WHERE k.created_at <= now() - interval '24 hours'
RETURNING 1`;

/**
 * The live key's first request. A new statement sees the row the claim waited for, committed
 * with its response (claim and response are written in one transaction).
 */
export const READ_IDEMPOTENT_RESPONSE_SQL = `
SELECT request_hash AS "requestHash", response
FROM tds_idempotency_keys
WHERE api_key_id = $1 AND key = $2`;

export const RECORD_IDEMPOTENT_RESPONSE_SQL = `
UPDATE tds_idempotency_keys SET status_code = $3, response = $4::jsonb
WHERE api_key_id = $1 AND key = $2`;
