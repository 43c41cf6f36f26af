/**
 * The next dead letters due for an automatic replay: open (neither resolved nor replayed),
 * their error transient (retries ran out; waiting may cure it), older than the wait, and
 * replayed automatically fewer times than the limit. Walks tds_dead_letters_retry_due_idx
 * (created_at, id), which holds only the open transient ones, from a keyset cursor, so a run
 * never reads twice what it has passed: an id the replay skipped (someone else was replaying
 * or resolving it) is not picked again in that run. The age bound is a parameter, fixed once
 * per run: a constant bounds the index range, where clock_timestamp() (volatile) would be
 * checked row by row over every open dead letter after the cursor. The cursor's created_at
 * travels as text, keeping the microseconds a JS Date drops.
 * $1 created before, $2 automatic replay limit, $3 cursor created_at, $4 cursor id, $5 batch size.
 */
export const DUE_DEAD_LETTERS_SQL = `
SELECT id, created_at::text AS "createdAt"
FROM tds_dead_letters
WHERE resolved_at IS NULL AND replayed_at IS NULL AND transient
  AND (created_at, id) > ($3::timestamptz, $4::bigint)
  AND created_at < $1::timestamptz
  AND auto_replays < $2
ORDER BY created_at, id
LIMIT $5`;
