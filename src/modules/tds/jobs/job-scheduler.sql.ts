/**
 * Claims this tick of a job for this instance. The tick is the database clock's epoch seconds
 * over the interval, so every instance names the same tick whatever its own clock says; the
 * primary key (job, tick) lets one claim in, and the others get no row back and skip the run.
 * clock_timestamp(), not now(): the statement's own moment, never a transaction's start.
 * $1 job, $2 interval (seconds), $3 instance.
 */
export const CLAIM_TICK_SQL = `
INSERT INTO tds_job_runs (job, tick, instance)
VALUES ($1, floor(extract(epoch FROM clock_timestamp()) / $2)::bigint, $3)
ON CONFLICT DO NOTHING
RETURNING tick`;

/**
 * Closes a claimed run. One reading of the database clock gives both finished_at and the
 * duration, so a row's timestamps always agree with each other.
 * $1 job, $2 tick, $3 outcome, $4 detail (json text).
 */
export const FINISH_RUN_SQL = `
UPDATE tds_job_runs r
SET finished_at = c.at,
    duration_ms = round(extract(epoch FROM c.at - r.started_at) * 1000),
    outcome = $3,
    detail = $4::jsonb
FROM (SELECT clock_timestamp() AS at) c
WHERE r.job = $1 AND r.tick = $2`;
