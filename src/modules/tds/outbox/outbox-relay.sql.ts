import { OUTBOX_ROW_COLUMNS } from './outbox-publisher.js';

/**
 * Takes the oldest undispatched outbox rows and marks them dispatched, inside the relay's
 * transaction: the rows stay locked until the relay has published them and commits, so each
 * row is relayed by one instance at a time (SKIP LOCKED), and a crash before the commit
 * leaves them undispatched for the next pass (at least once). Reading "dispatched_at IS
 * NULL" rather than "id > last seen" finds rows whose transaction committed after a later id's.
 * Only the event types this build knows are taken: during a rolling deploy, a type written by a
 * newer instance waits for an instance that can publish it.
 */
export const CLAIM_OUTBOX_SQL = `
UPDATE tds_outbox o
SET dispatched_at = clock_timestamp()
WHERE o.id IN (
  SELECT id FROM tds_outbox
  WHERE dispatched_at IS NULL AND event_type = ANY ($2::text[])
  ORDER BY id
  LIMIT $1
  FOR UPDATE SKIP LOCKED
)
RETURNING ${OUTBOX_ROW_COLUMNS}`;
