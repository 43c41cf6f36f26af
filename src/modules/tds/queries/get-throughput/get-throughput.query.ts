import { Query } from '@nestjs/cqrs';

export interface ThroughputParams {
  /** The span that ends at the current minute, in whole minutes (1..10080). */
  windowMinutes: number;
  /** Width of one point in whole minutes; divides windowMinutes; at most 1440 points. */
  stepMinutes: number;
  /** Only this entity type; every type when absent. */
  entityType?: string;
}

export interface ThroughputPoint {
  /** Start of the step (ISO-8601, UTC, on a minute). */
  at: string;
  received: number;
  applied: number;
  unchanged: number;
  superseded: number;
  failed: number;
  retried: number;
  deadLettered: number;
  /** Mean enqueue-to-apply latency of the step's applied items; null when none was applied. */
  avgLatencyMs: number | null;
  maxLatencyMs: number | null;
}

export interface ThroughputSeries {
  windowMinutes: number;
  stepMinutes: number;
  /** Start of the first point and end of the last (ISO-8601). */
  from: string;
  to: string;
  /** Oldest first, one per step, steps without work as zeros: windowMinutes / stepMinutes points. */
  points: ThroughputPoint[];
}

/** A time series from tds_metrics (per-minute delta rows summed per step), for charts. */
export class GetThroughputQuery extends Query<ThroughputSeries> {
  constructor(readonly params: ThroughputParams) {
    super();
  }
}
