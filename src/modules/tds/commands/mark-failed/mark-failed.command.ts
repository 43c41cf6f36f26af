import type { QueryRunner } from 'typeorm';
import type { ItemFailure } from '../../workers/claimed-item.js';
import type { RunDelta } from '../mark-completed/mark-completed.command.js';

export interface MarkFailedResult {
  events: number;
  runs: RunDelta[];
  statuses: Record<string, number>;
}

/**
 * Records failed attempts inside the batch's transaction `tx`: retry with backoff while
 * attempts remain and the error is transient, else a dead letter.
 */
export class MarkFailedCommand {
  constructor(
    readonly tx: QueryRunner,
    readonly failures: readonly ItemFailure[],
  ) {}
}
