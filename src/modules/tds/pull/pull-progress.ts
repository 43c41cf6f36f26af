/**
 * Where a pull run's fetch stands, kept on its row (`progress`): what a run resumed by another
 * instance continues from, and what operators see while it goes.
 *
 * Paging is by time, not by page number alone: each request asks for the records modified at or
 * after `lowerBound`, oldest first, and `page` counts pages within that bound. A record edited
 * during the run moves to the end of the list, and under plain page numbers every record behind
 * it would shift one place back across a page edge, unread. So after each page the bound moves
 * up to the newest time on it and paging starts again at page 1: the records sharing that time
 * are read again (stored once: same inbox key), never skipped. Only a page whose records all
 * carry the bound itself (more records share one second than a page holds) goes on to the next
 * page number under the same bound.
 */
export interface PullProgress {
  /** ISO time; null: from the beginning. */
  lowerBound: string | null;
  page: number;
  pages: number;
  /** Records fetched, including those read again at page edges. */
  records: number;
  /** The oldest and newest record times seen, ISO. */
  oldestSeen: string | null;
  newestSeen: string | null;
  /** The run's start: records changed after it are the next run's, and the estimate's end. */
  upTo: string;
  /** Percent of the time span between the first record and `upTo` covered so far; 100 once fetched. */
  estimatedPercent: number;
  /** Set while the run waits for the source (its breaker open, 5xx, rate limit): why and since when. */
  paused: { code: string; message: string; since: string } | null;
  /** Written by the page statement (WRITE_PULL_PAGE_SQL): queue items, invalid records, records stored already. */
  queued?: number;
  invalid?: number;
  duplicates?: number;
}

export function initialProgress(startedAt: Date): PullProgress {
  return {
    lowerBound: null,
    page: 1,
    pages: 0,
    records: 0,
    oldestSeen: null,
    newestSeen: null,
    upTo: startedAt.toISOString(),
    estimatedPercent: 0,
    paused: null,
  };
}

/** The progress after a page: the next request's position, the counts and the estimate. */
export function afterPage(progress: PullProgress, records: number, oldestAt: number | undefined, newestAt: number | undefined): PullProgress {
  const bound = progress.lowerBound === null ? undefined : Date.parse(progress.lowerBound);
  const moves = newestAt !== undefined && (bound === undefined || newestAt > bound);
  const oldest = min(progress.oldestSeen === null ? undefined : Date.parse(progress.oldestSeen), oldestAt, bound);
  const newest = max(progress.newestSeen === null ? undefined : Date.parse(progress.newestSeen), newestAt);
  const next: PullProgress = {
    ...progress,
    lowerBound: moves ? new Date(newestAt).toISOString() : progress.lowerBound,
    page: moves ? 1 : progress.page + 1,
    pages: progress.pages + 1,
    records: progress.records + records,
    oldestSeen: oldest === undefined ? null : new Date(oldest).toISOString(),
    newestSeen: newest === undefined ? null : new Date(newest).toISOString(),
    paused: null,
  };
  return { ...next, estimatedPercent: estimate(next) };
}

/** Records are fetched oldest first, so the share of the span already passed estimates the share fetched. Never 100 before the end. */
function estimate(progress: PullProgress): number {
  if (progress.oldestSeen === null || progress.newestSeen === null) return 0;
  const from = Date.parse(progress.oldestSeen);
  const span = Date.parse(progress.upTo) - from;
  if (span <= 0) return 99.9;
  return Math.min(99.9, Math.round((1000 * (Date.parse(progress.newestSeen) - from)) / span) / 10);
}

const defined = (values: (number | undefined)[]) => values.filter((v): v is number => v !== undefined);
const min = (...values: (number | undefined)[]) => (defined(values).length === 0 ? undefined : Math.min(...defined(values)));
const max = (...values: (number | undefined)[]) => (defined(values).length === 0 ? undefined : Math.max(...defined(values)));
