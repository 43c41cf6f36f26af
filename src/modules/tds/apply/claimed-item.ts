import type { EntityOperation } from '../domain/queue-item.js';

/** A queue item as a worker sees it once claimed: everything but the payload, which stays in SQL. */
export interface ClaimedItem {
  id: number;
  source: string;
  entityType: string;
  sourceEntityId: string;
  operation: EntityOperation;
  version: number;
  attempt: number;
  maxAttempts: number;
  crashCount: number;
  syncRunId: number | null;
}

/** Why one item was not applied in this batch. `retryable` false sends it to the dead letters at once. */
export interface ItemFailure {
  item: ClaimedItem;
  code: string;
  message: string;
  retryable: boolean;
}

/** Per-run deltas a batch contributes to `tds_sync_runs`. */
export interface RunDelta {
  syncRunId: number;
  /** Applied. */
  succeeded?: number;
  /** Dead-lettered (a retry is not final). */
  failed?: number;
  /** Unchanged or superseded. */
  skipped?: number;
}
