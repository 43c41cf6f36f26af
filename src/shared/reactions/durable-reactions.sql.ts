import { preparedSql } from '../database/sql.js';

/**
 * A reaction's transaction does not wait for its commit to reach the disk. Safe because the
 * effect and its receipts commit as one: a database crash can only lose both, and then the
 * event has no receipt and the redelivery sweep delivers it again (the outbox row is durable,
 * written by a synchronous commit). An effect outside the database (an alert webhook call) is
 * at least once anyway, a crash before any commit repeats it, and its receiver tells a repeat
 * by the event id. What it saves is a WAL flush per batch and reaction, on the path that must
 * keep up with the core.
 */
export const ASYNC_COMMIT_SQL = `SET LOCAL synchronous_commit = off`;

/**
 * Receipts for the events a reaction is about to handle, in the reaction's own transaction.
 * The events that come back are the ones not handled before: their effect is applied in this
 * transaction and committed with the receipts. A receipt another transaction is writing
 * (the same event delivered twice at once, e.g. a redelivery racing the original) makes this
 * wait for that transaction: if it commits, the event is skipped here; if it rolls back, it is
 * handled here. Either way the effect happens once.
 * The same statement closes the events' open failures: it commits only with the effect, so a
 * retry that succeeds resolves them, one that fails leaves them open.
 * $1 reaction, $2 event ids.
 */
export const CLAIM_RECEIPTS_SQL = preparedSql(
  'reactions_claim_receipts',
  `
WITH resolved AS (
  UPDATE tds_reaction_failures SET resolved_at = now(), updated_at = now()
  WHERE reaction = $1 AND event_id = ANY ($2::uuid[]) AND resolved_at IS NULL
)
INSERT INTO tds_reaction_receipts (reaction, event_id)
SELECT $1, e FROM unnest($2::uuid[]) AS e
ON CONFLICT DO NOTHING
RETURNING event_id AS "eventId"`,
);

/**
 * After the reaction's transaction rolled back: one open failure per event not handled
 * already (an event with a receipt was done by an earlier delivery and is not failing), its
 * attempt counted and its next attempt set with full-jitter exponential backoff on the
 * database clock. At max attempts the failure is exhausted: no more retries, it stays open
 * (visible, and alerted on) until someone resolves it.
 * $1 reaction, $2 event ids, $3 event types, $4 error, $5 max attempts, $6 backoff base ms, $7 backoff cap ms.
 */
export const RECORD_FAILURES_SQL = `
INSERT INTO tds_reaction_failures AS f (reaction, event_id, event_type, attempts, last_error, next_attempt_at, exhausted_at)
SELECT $1, e.id, e.type, 1, $4,
       now() + make_interval(secs => random() * least($7::float8, $6::float8) / 1000),
       CASE WHEN 1 >= $5 THEN now() END
FROM unnest($2::uuid[], $3::text[]) AS e (id, type)
WHERE NOT EXISTS (SELECT 1 FROM tds_reaction_receipts r WHERE r.reaction = $1 AND r.event_id = e.id)
ON CONFLICT (reaction, event_id) WHERE resolved_at IS NULL DO UPDATE
SET attempts = f.attempts + 1,
    last_error = excluded.last_error,
    updated_at = now(),
    next_attempt_at = now() + make_interval(secs => random() * least($7::float8, $6::float8 * 2 ^ f.attempts) / 1000),
    exhausted_at = CASE WHEN f.attempts + 1 >= $5 THEN now() END`;
