import { Injectable } from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import { queryRows } from '../../../shared/database/sql.js';
import { classifyApplyError, sqlStateOf } from './apply-errors.js';
import type { ClaimedItem, ItemFailure, RunDelta } from './claimed-item.js';
import { TestFaults } from './test-faults.js';
import { CREATE_PLACEHOLDERS_SQL, MARK_COMPLETED_SQL } from './mark-completed.sql.js';

export interface MarkCompletedResult {
  events: number;
  runs: RunDelta[];
  statuses: Record<string, number>;
  /** Per closed item, enqueue to close in milliseconds. */
  latenciesMs: number[];
  /** Items that could not be applied, each found alone; the batch's other items are done. */
  failures: ItemFailure[];
}

interface GroupRow {
  events: number;
  runs: RunDelta[];
  statuses: Record<string, number>;
  latenciesMs: number[];
}

/** How often a group that lost a deadlock is re-run before it is split. */
const CONFLICT_RETRIES = 3;

/**
 * Applies claimed items to the mirror and records their outcomes (completed, unchanged,
 * superseded) inside the batch's transaction `tx`. A step of the worker's batch, not a use case:
 * an item is only ever closed by applying it, so nothing outside the apply stage calls this.
 */
@Injectable()
export class MarkCompletedService {
  constructor(private readonly faults: TestFaults) {}

  async apply(tx: QueryRunner, items: readonly ClaimedItem[]): Promise<MarkCompletedResult> {
    const result: MarkCompletedResult = { events: 0, runs: [], statuses: {}, latenciesMs: [], failures: [] };
    const ready: ClaimedItem[] = [];
    for (const item of items) {
      try {
        this.faults.check(item);
        ready.push(item);
      } catch (error) {
        result.failures.push({ item, ...classifyApplyError(error) });
      }
    }
    await this.applyGroup(tx, ready, result, CONFLICT_RETRIES);
    return result;
  }

  /**
   * The whole group in one statement under a savepoint. When it fails, the group is split in
   * halves and each half tried again, down to single items: one bad item costs O(log n) extra
   * statements and fails alone, and its batch-mates are applied in this same transaction.
   */
  private async applyGroup(tx: QueryRunner, items: ClaimedItem[], acc: MarkCompletedResult, conflictRetries: number): Promise<void> {
    if (items.length === 0) return;
    await tx.query('SAVEPOINT apply_group');
    try {
      await tx.query(CREATE_PLACEHOLDERS_SQL, [
        items.map((i) => i.source),
        items.map((i) => i.entityType),
        items.map((i) => i.sourceEntityId),
      ]);
      const [row] = await queryRows<GroupRow>(tx, MARK_COMPLETED_SQL, [items.map((i) => i.id)]);
      await tx.query('RELEASE SAVEPOINT apply_group');
      acc.events += row.events;
      acc.runs.push(...row.runs);
      acc.latenciesMs.push(...row.latenciesMs);
      for (const [status, n] of Object.entries(row.statuses)) acc.statuses[status] = (acc.statuses[status] ?? 0) + n;
    } catch (error) {
      await tx.query('ROLLBACK TO SAVEPOINT apply_group');
      await tx.query('RELEASE SAVEPOINT apply_group');
      // A deadlock is about timing, not about the items: run the group again.
      if (isConflict(error) && conflictRetries > 0) {
        return this.applyGroup(tx, items, acc, conflictRetries - 1);
      }
      if (items.length === 1) {
        acc.failures.push({ item: items[0], ...classifyApplyError(error) });
        return;
      }
      const mid = items.length >> 1;
      await this.applyGroup(tx, items.slice(0, mid), acc, conflictRetries);
      await this.applyGroup(tx, items.slice(mid), acc, conflictRetries);
    }
  }
}

/** Deadlock victim or serialization failure: the other transaction goes on, this one may retry. */
function isConflict(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state === '40P01' || state === '40001';
}
