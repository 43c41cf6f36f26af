const JOB_RUN_COLUMNS = `r.job, r.tick, r.instance, r.started_at AS "startedAt", r.finished_at AS "finishedAt",
  r.duration_ms AS "durationMs", r.outcome, r.detail`;

/** The last run of each job named in $1: one probe of the primary key (job, tick) per job, whatever the history. */
export const LAST_RUN_PER_JOB_SQL = `
SELECT ${JOB_RUN_COLUMNS}
FROM unnest($1::text[]) AS j(name)
CROSS JOIN LATERAL (
  SELECT * FROM tds_job_runs WHERE job = j.name ORDER BY tick DESC LIMIT 1
) r`;

/** The $1 latest runs of all jobs (started-at index). */
export const RECENT_RUNS_SQL = `
SELECT ${JOB_RUN_COLUMNS}
FROM tds_job_runs r
ORDER BY r.started_at DESC
LIMIT $1`;
