import { CommandHandler } from '@nestjs/cqrs';
import type { ICommandHandler } from '@nestjs/cqrs';
import { queryRows } from '../../../../shared/database/sql.js';
import { RetryPolicy } from '../../workers/retry-policy.js';
import { MarkFailedCommand } from './mark-failed.command.js';
import type { MarkFailedResult } from './mark-failed.command.js';
import { MARK_FAILED_SQL } from './mark-failed.sql.js';

@CommandHandler(MarkFailedCommand)
export class MarkFailedHandler implements ICommandHandler<MarkFailedCommand, MarkFailedResult> {
  constructor(private readonly retryPolicy: RetryPolicy) {}

  async execute({ tx, failures }: MarkFailedCommand): Promise<MarkFailedResult> {
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
