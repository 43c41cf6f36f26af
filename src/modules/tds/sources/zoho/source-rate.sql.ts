/*
 * The shared token bucket of one Zoho organisation (tds_rate_buckets, one row per key). Every
 * instance takes its tokens from the same row, so together they stay within the rate Zoho
 * allows. Time is the database's clock (clock_timestamp(): the statement's own moment), so
 * instances whose clocks disagree still agree on the bucket.
 */

/**
 * Takes one request's token, in one statement: refills the bucket by the time elapsed since
 * its last refill times the rate (up to the burst), counts the request against the UTC day's
 * budget (a new day starts from zero), and takes a token when one is there and the budget
 * allows; else takes nothing and says how long to wait.
 * The row lock (FOR UPDATE) serialises concurrent callers: the second reads the first's
 * result, never the same tokens. The clock is read once; a caller whose reading predates the
 * row's last refill (it waited for the lock) refills nothing and moves no clock back, so the
 * bucket can only err on the slow side. Rate 0 lifts the limit (no token taken) but the
 * request still counts toward the budget.
 * No row comes back when the bucket does not exist yet: seed it (SEED_RATE_BUCKET_SQL) and take again.
 * $1 key, $2 rate (tokens per second; 0: lifted), $3 burst (tokens), $4 day budget (requests).
 */
export const TAKE_RATE_TOKEN_SQL = `
UPDATE tds_rate_buckets b
SET tokens = s.tokens - CASE WHEN s.taken AND s.limited THEN 1 ELSE 0 END,
    refilled_at = s.at,
    day = s.today,
    day_requests = s.requests + s.taken::int,
    day_budget = $4,
    updated_at = s.at
FROM (
  SELECT t.*, (NOT t.limited OR t.tokens >= 1) AND t.requests < $4 AS taken
  FROM (
    SELECT r.key,
           $2::float8 > 0 AS limited,
           greatest(r.refilled_at, c.at) AS at,
           (greatest(r.refilled_at, c.at) AT TIME ZONE 'UTC')::date AS today,
           CASE WHEN $2::float8 > 0
                THEN least($3::float8, r.tokens + greatest(0, extract(epoch FROM c.at - r.refilled_at)) * $2::float8)
                ELSE $3::float8 END AS tokens,
           CASE WHEN r.day = (greatest(r.refilled_at, c.at) AT TIME ZONE 'UTC')::date THEN r.day_requests ELSE 0 END AS requests
    FROM tds_rate_buckets r CROSS JOIN (SELECT clock_timestamp() AS at) c
    WHERE r.key = $1
    FOR UPDATE OF r
  ) t
) s
WHERE b.key = s.key
RETURNING s.taken,
          s.requests + s.taken::int AS "dayRequests",
          s.requests >= $4 AS "budgetExhausted",
          CASE WHEN s.taken THEN 0
               WHEN s.requests >= $4 THEN ceil(extract(epoch FROM ((s.today + 1)::timestamp AT TIME ZONE 'UTC') - s.at) * 1000)
               ELSE ceil((1 - s.tokens) / $2::float8 * 1000)
          END::float8 AS "waitMs"`;

/**
 * Creates a full bucket on a key's first use; a concurrent creator's row wins (the next take
 * reads it). $1 key, $2 burst (tokens), $3 day budget.
 */
export const SEED_RATE_BUCKET_SQL = `
INSERT INTO tds_rate_buckets (key, tokens, refilled_at, day, day_requests, day_budget, updated_at)
VALUES ($1, $2, clock_timestamp(), (clock_timestamp() AT TIME ZONE 'UTC')::date, 0, $3, clock_timestamp())
ON CONFLICT (key) DO NOTHING`;

/**
 * Zoho answered 429 with a wait: every instance sits it out, not only the one that was told.
 * The bucket is refilled to now and set so that its next token comes when the wait is over,
 * unless it was already emptier. A lifted rate (0) has no tokens to hold back; the caller waits alone.
 * $1 key, $2 rate (tokens per second, > 0), $3 burst, $4 wait (ms).
 */
export const BACK_OFF_RATE_BUCKET_SQL = `
UPDATE tds_rate_buckets r
SET tokens = least(least($3::float8, r.tokens + greatest(0, extract(epoch FROM c.at - r.refilled_at)) * $2::float8),
                   1 - $4::float8 / 1000 * $2::float8),
    refilled_at = greatest(r.refilled_at, c.at),
    updated_at = greatest(r.refilled_at, c.at)
FROM (SELECT clock_timestamp() AS at) c
WHERE r.key = $1`;
