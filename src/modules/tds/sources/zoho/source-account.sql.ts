/*
 * One row per source account in tds_source_accounts, created on first use. Times are the
 * database's clock (clock_timestamp()), so every instance judges a token's expiry and a
 * lease's end the same way whatever its own clock says.
 */

/**
 * The account's access token and what the caller needs to decide about it: whether it is
 * still good for more than $3 seconds, whether a refresh lease is held right now, and the
 * credentials' state. $1 source, $2 account, $3 margin (seconds).
 */
export const READ_TOKEN_SQL = `
SELECT access_token AS "accessToken",
       COALESCE(token_expires_at > clock_timestamp() + make_interval(secs => $3), false) AS fresh,
       COALESCE(refresh_holder IS NOT NULL AND refresh_until > clock_timestamp(), false) AS refreshing,
       auth_state AS "authState",
       auth_error AS "authError"
FROM tds_source_accounts
WHERE source = $1 AND account = $2`;

/**
 * Takes the refresh lease, creating the row on first use: one refresh at a time per account
 * across instances, without a transaction held open over the HTTP call (PGlite has one
 * connection). The lease is taken only when nobody holds it (or its holder's time ran out:
 * that holder died or hung) and the token still needs refreshing: a caller that arrives just
 * after another stored a fresh one takes nothing and reads that token. A row back means the
 * lease is this caller's.
 * $1 source, $2 account, $3 holder (unique per attempt), $4 lease (seconds), $5 margin (seconds).
 */
export const TAKE_REFRESH_LEASE_SQL = `
INSERT INTO tds_source_accounts AS a (source, account, refresh_holder, refresh_until, updated_at)
VALUES ($1, $2, $3, clock_timestamp() + make_interval(secs => $4), clock_timestamp())
ON CONFLICT (source, account) DO UPDATE
SET refresh_holder = EXCLUDED.refresh_holder, refresh_until = EXCLUDED.refresh_until, updated_at = EXCLUDED.updated_at
WHERE (a.refresh_holder IS NULL OR a.refresh_until <= clock_timestamp())
  AND NOT COALESCE(a.access_token IS NOT NULL AND a.token_expires_at > clock_timestamp() + make_interval(secs => $5), false)
RETURNING a.refresh_holder`;

/**
 * Stores a refreshed token and releases the lease, if the lease is still this holder's (one
 * that ran out and was taken over leaves the newer holder's result alone); the credentials
 * work again. The expiry counts from now minus the time the token call took, so it is never
 * later than Zoho's. $1 source, $2 account, $3 holder, $4 access token, $5 lifetime (seconds).
 */
export const STORE_TOKEN_SQL = `
UPDATE tds_source_accounts
SET access_token = $4, token_expires_at = clock_timestamp() + make_interval(secs => $5),
    refresh_holder = NULL, refresh_until = NULL, auth_state = 'ok', auth_error = NULL, updated_at = clock_timestamp()
WHERE source = $1 AND account = $2 AND refresh_holder = $3
RETURNING 1`;

/**
 * Releases the lease after a refresh that failed for a passing reason (Zoho's accounts server
 * down, a timeout): the next caller tries again. $1 source, $2 account, $3 holder, $4 error (no secret).
 */
export const RELEASE_REFRESH_LEASE_SQL = `
UPDATE tds_source_accounts
SET refresh_holder = NULL, refresh_until = NULL, last_error = $4, updated_at = clock_timestamp()
WHERE source = $1 AND account = $2 AND refresh_holder = $3`;

/**
 * The credentials do not work (the refresh token was refused, or a fresh access token was):
 * the token goes, the lease is released when it is $3's, and the state feeds the
 * source_auth_failed alert until a refresh succeeds. A refused access token is dropped only
 * if it is still the stored one ($5; null: whatever is stored).
 * $1 source, $2 account, $3 holder (null: none), $4 error (no secret), $5 refused access token.
 */
export const MARK_AUTH_FAILED_SQL = `
INSERT INTO tds_source_accounts AS a (source, account, auth_state, auth_error, last_error, updated_at)
VALUES ($1, $2, 'failed', $4::text, $4::text, clock_timestamp())
ON CONFLICT (source, account) DO UPDATE
SET auth_state = 'failed', auth_error = $4, last_error = $4, updated_at = clock_timestamp(),
    access_token = CASE WHEN $5::text IS NULL OR a.access_token = $5::text THEN NULL ELSE a.access_token END,
    token_expires_at = CASE WHEN $5::text IS NULL OR a.access_token = $5::text THEN NULL ELSE a.token_expires_at END,
    refresh_holder = CASE WHEN a.refresh_holder = $3::text THEN NULL ELSE a.refresh_holder END,
    refresh_until = CASE WHEN a.refresh_holder = $3::text THEN NULL ELSE a.refresh_until END`;

/**
 * Zoho refused this access token (401) before its expiry: forget it, unless another caller
 * already replaced it with a newer one. $1 source, $2 account, $3 refused token.
 */
export const INVALIDATE_TOKEN_SQL = `
UPDATE tds_source_accounts
SET access_token = NULL, token_expires_at = NULL, updated_at = clock_timestamp()
WHERE source = $1 AND account = $2 AND access_token = $3`;

/**
 * A circuit breaker changed state on some instance: the last change wins (each instance has
 * its own breaker; the row says what the latest one saw). $1 source, $2 account, $3 state,
 * $4 last error (no secret; null keeps the previous one).
 */
export const SET_BREAKER_STATE_SQL = `
INSERT INTO tds_source_accounts AS a (source, account, breaker_state, breaker_changed_at, last_error, updated_at)
VALUES ($1, $2, $3, clock_timestamp(), $4::text, clock_timestamp())
ON CONFLICT (source, account) DO UPDATE
SET breaker_state = $3, breaker_changed_at = clock_timestamp(), last_error = COALESCE($4::text, a.last_error), updated_at = clock_timestamp()`;

/**
 * A call to Zoho succeeded here: if the row still says some breaker is open or half-open (this
 * instance's, or another's that has not called since), Zoho answers again, so the row says
 * closed. Matches nothing, and writes nothing, in the usual case. $1 source, $2 account.
 */
export const MARK_BREAKER_CLOSED_SQL = `
UPDATE tds_source_accounts
SET breaker_state = 'closed', breaker_changed_at = clock_timestamp(), updated_at = clock_timestamp()
WHERE source = $1 AND account = $2 AND breaker_state <> 'closed'
RETURNING 1`;
