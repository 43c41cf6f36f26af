import type { QueryRunner } from 'typeorm';
import type { ClaimedItem, ItemFailure } from '../../workers/claimed-item.js';

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

export interface MarkCompletedResult {
  events: number;
  runs: RunDelta[];
  statuses: Record<string, number>;
  /** Per closed item, enqueue to close in milliseconds. */
  latenciesMs: number[];
  /** Items that could not be applied, each found alone; the batch's other items are done. */
  failures: ItemFailure[];
}

/**
 * Applies claimed items to the mirror and records their outcomes (completed, unchanged,
 * superseded) inside the batch's transaction `tx`. Not an operator action: an item is only
 * ever closed by applying it.
 */
export class MarkCompletedCommand {
  constructor(
    readonly tx: QueryRunner,
    readonly items: readonly ClaimedItem[],
  ) {}
}
