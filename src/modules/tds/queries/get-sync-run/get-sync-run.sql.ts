import { openRunItems } from '../../queue/close-sync-runs.sql.js';
import type { SyncRunDto } from './get-sync-run.dto.js';

/** An open webhook run's total: what the workers finished and what is still open (openRunItems). */
const REPORTED_TOTAL = `CASE WHEN r.kind = 'webhook' AND r.status = 'running' THEN r.total + ${openRunItems('r')} ELSE r.total END`;

/** A pull run's fetch as PullStateDto reports it: the recorded progress (pull-progress.ts), the lease, whether it is still fetching. */
const PULL_STATE = `jsonb_build_object(
    'account', r.account, 'mode', r.mode, 'fetching', r.fetched_at IS NULL AND r.status = 'running',
    'fetchedAt', r.fetched_at, 'leaseHolder', r.locked_by, 'leaseExpiresAt', r.locked_until,
    'pages', coalesce((r.progress->>'pages')::int, 0), 'records', coalesce((r.progress->>'records')::int, 0),
    'queued', coalesce((r.progress->>'queued')::int, 0), 'invalid', coalesce((r.progress->>'invalid')::int, 0),
    'duplicates', coalesce((r.progress->>'duplicates')::int, 0),
    'estimatedPercent', coalesce((r.progress->>'estimatedPercent')::float8, 0),
    'lowerBound', r.progress->'lowerBound', 'page', coalesce((r.progress->>'page')::int, 1),
    'paused', r.progress->'paused')`;

/**
 * A run as SyncRunDto reports it, over `tds_sync_runs r`: in a SELECT, or in the RETURNING of
 * an UPDATE (where it reads the new values), so reading a run and changing one report it alike.
 * Progress and duration are computed on the database clock, the one that wrote started_at and
 * completed_at, so an open run's duration does not depend on the app server's clock.
 */
export const SYNC_RUN_COLUMNS = `
  r.id, r.kind, r.source, r.entity_type AS "entityType", r.status,
  ${REPORTED_TOTAL} AS total, r.processed, r.succeeded, r.failed, r.skipped,
  CASE WHEN r.mode IS NOT NULL AND r.fetched_at IS NULL AND r.status = 'running'
         THEN least(coalesce((r.progress->>'estimatedPercent')::float8, 0) / 100,
                    CASE WHEN r.total = 0 THEN 1 ELSE r.processed::float8 / r.total END)
       WHEN ${REPORTED_TOTAL} = 0 THEN 1 ELSE least(r.processed::float8 / ${REPORTED_TOTAL}, 1) END AS progress,
  (extract(epoch FROM COALESCE(r.completed_at, clock_timestamp()) - r.started_at) * 1000)::bigint AS "durationMs",
  r.created_at AS "createdAt", r.started_at AS "startedAt", r.completed_at AS "completedAt",
  r.error_summary AS "errorSummary", r.cursor_from AS "cursorFrom", r.cursor_to AS "cursorTo",
  r.window_start AS "windowStart",
  CASE WHEN r.mode IS NOT NULL THEN ${PULL_STATE} END AS pull`;

export const GET_SYNC_RUN_SQL = `SELECT ${SYNC_RUN_COLUMNS} FROM tds_sync_runs r WHERE r.id = $1`;

export type SyncRunRow = Omit<SyncRunDto, 'createdAt' | 'startedAt' | 'completedAt' | 'windowStart'> & {
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  windowStart: Date | null;
};

/** jsonb renders a timestamptz with the session's offset and microseconds; the API speaks UTC ISO-8601. */
const isoOrNull = (text: string | null) => (text === null ? null : new Date(text).toISOString());

export function toSyncRunDto(row: SyncRunRow): SyncRunDto {
  return {
    ...row,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    completedAt: row.completedAt?.toISOString() ?? null,
    windowStart: row.windowStart?.toISOString() ?? null,
    pull: row.pull === null ? null : { ...row.pull, fetchedAt: isoOrNull(row.pull.fetchedAt), leaseExpiresAt: isoOrNull(row.pull.leaseExpiresAt) },
  };
}
