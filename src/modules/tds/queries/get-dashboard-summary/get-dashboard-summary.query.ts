import { Query } from '@nestjs/cqrs';

export interface DashboardSummary {
  /** The database clock when the figures were read (ISO-8601). */
  generatedAt: string;
  queue: {
    pending: number;
    processing: number;
    retry: number;
    /** Dead letters neither resolved nor replayed. */
    openDeadLetters: number;
    /** Age in seconds of the oldest pending item; null when none is pending. */
    oldestPendingAgeSeconds: number | null;
  };
  /** Outcomes of the last 24 h from tds_metrics (the alert rules' definitions). */
  last24h: {
    received: number;
    applied: number;
    unchanged: number;
    superseded: number;
    failed: number;
    deadLettered: number;
    /** (applied + unchanged + superseded) / every outcome; null without outcomes. */
    successRate: number | null;
  };
}

/**
 * The figures of the operator's home screen that are not lists: the waiting work and the last
 * day's outcomes. Reads only what is open now (partial indexes) and the metric buckets, so its
 * cost does not grow with the history.
 */
export class GetDashboardSummaryQuery extends Query<DashboardSummary> {}
