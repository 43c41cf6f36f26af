import { Command } from '@nestjs/cqrs';
import type { BatchedDeletion } from '../../../../shared/database/delete-in-batches.js';

export type PurgeInboxResult = BatchedDeletion;

/**
 * Retention for webhook deliveries: removes inbox events received more than
 * `olderThanSeconds` ago, `batchSize` rows per transaction. A delivery stays while anything
 * may still need it: an unresolved dead letter of one of its items (a replay or an operator's
 * investigation), or a queue item still open.
 */
export class PurgeInboxCommand extends Command<PurgeInboxResult> {
  constructor(
    readonly olderThanSeconds: number,
    readonly batchSize: number,
  ) {
    super();
  }
}
