import { CommandHandler } from '@nestjs/cqrs';
import type { ICommandHandler } from '@nestjs/cqrs';
import type { QueryRunner } from 'typeorm';
import { queryRows } from '../../../../shared/database/sql.js';
import { classifyApplyError, sqlStateOf } from '../../workers/apply-errors.js';
import type { ClaimedItem, ItemFailure } from '../../workers/claimed-item.js';
import { TestFaults } from '../../workers/test-faults.js';
import { MarkCompletedCommand } from './mark-completed.command.js';
import type { MarkCompletedResult, RunDelta } from './mark-completed.command.js';
import { MARK_COMPLETED_SQL } from './mark-completed.sql.js';

interface GroupRow {
  raced: number;
  events: number;
  runs: RunDelta[];
  statuses: Record<string, number>;
}

/** Another batch created one of the group's entities after this group read it. */
class ConcurrentCreate extends Error {}
const RACE_RETRIES = 3;

@CommandHandler(MarkCompletedCommand)
export class MarkCompletedHandler implements ICommandHandler<MarkCompletedCommand, MarkCompletedResult> {
  constructor(private readonly faults: TestFaults) {}

  async execute({ tx, items }: MarkCompletedCommand): Promise<MarkCompletedResult> {
    const result: MarkCompletedResult = { events: 0, runs: [], statuses: {}, failures: [] };
    const ready: ClaimedItem[] = [];
    for (const item of items) {
      try {
        this.faults.check(item);
        ready.push(item);
      } catch (error) {
        result.failures.push({ item, ...classifyApplyError(error) });
      }
    }
    await this.applyGroup(tx, ready, result, RACE_RETRIES);
    return result;
  }

  /**
   * The whole group in one statement under a savepoint. When it fails, the group is split in
   * halves and each half tried again, down to single items: one bad item costs O(log n) extra
   * statements and fails alone, and its batch-mates are applied in this same transaction.
   */
  private async applyGroup(tx: QueryRunner, items: ClaimedItem[], acc: MarkCompletedResult, raceRetries: number): Promise<void> {
    if (items.length === 0) return;
    await tx.query('SAVEPOINT apply_group');
    try {
      const [row] = await queryRows<GroupRow>(tx, MARK_COMPLETED_SQL, [items.map((i) => i.id)]);
      if (row.raced > 0) throw new ConcurrentCreate();
      await tx.query('RELEASE SAVEPOINT apply_group');
      acc.events += row.events;
      acc.runs.push(...row.runs);
      for (const [status, n] of Object.entries(row.statuses)) acc.statuses[status] = (acc.statuses[status] ?? 0) + n;
    } catch (error) {
      await tx.query('ROLLBACK TO SAVEPOINT apply_group');
      await tx.query('RELEASE SAVEPOINT apply_group');
      // A lost race or a deadlock is about timing, not about the items: run the group again.
      if ((error instanceof ConcurrentCreate || isConflict(error)) && raceRetries > 0) {
        return this.applyGroup(tx, items, acc, raceRetries - 1);
      }
      if (items.length === 1) {
        acc.failures.push(toFailure(items[0], error));
        return;
      }
      const mid = items.length >> 1;
      await this.applyGroup(tx, items.slice(0, mid), acc, raceRetries);
      await this.applyGroup(tx, items.slice(mid), acc, raceRetries);
    }
  }
}

/** Deadlock victim or serialization failure: the other transaction goes on, this one may retry. */
function isConflict(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state === '40P01' || state === '40001';
}

function toFailure(item: ClaimedItem, error: unknown): ItemFailure {
  if (error instanceof ConcurrentCreate) {
    return { item, code: 'CONCURRENT_CREATE', message: 'entity was created concurrently; retrying', retryable: true };
  }
  return { item, ...classifyApplyError(error) };
}
