import { Injectable } from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import { queryRows } from '../../../shared/database/sql.js';
import { RetryPolicy } from '../domain/retry-policy.js';
import type { ItemFailure, RunDelta } from './claimed-item.js';
import { MARK_FAILED_SQL } from './mark-failed.sql.js';

export interface MarkFailedResult {
  events: number;
  runs: RunDelta[];
  statuses: Record<string, number>;
}

/**
 * Records failed attempts inside the batch's transaction `tx`: retry with backoff while
 * attempts remain and the error is transient, else a dead letter.
 */
@Injectable()
export class MarkFailedService {
  constructor(private readonly retryPolicy: RetryPolicy) {}

  async record(tx: QueryRunner, failures: readonly ItemFailure[]): Promise<MarkFailedResult> {
    if (failures.length === 0) return { events: 0, runs: [], statuses: {} };
    const decisions = failures.map((f) => this.retryPolicy.decide(f.item.attempt + 1, f.item.maxAttempts, f.retryable));
    const [row] = await queryRows<MarkFailedResult>(tx, MARK_FAILED_SQL, [
      failures.map((f) => f.item.id),
      failures.map((f) => f.code),
      failures.map((f) => f.message.slice(0, 2000)),
      decisions.map((d) => d.delayMs),
      decisions.map((d) => d.ceilingMs),
      failures.map((f) => f.retryable),
    ]);
    return row;
  }
}
