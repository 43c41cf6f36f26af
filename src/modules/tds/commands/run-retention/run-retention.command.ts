import { Command } from '@nestjs/cqrs';
import type { BatchedDeletion } from '../../../../shared/database/delete-in-batches.js';

/** How long each kind of row is kept (seconds), and rows per delete. */
export interface RetentionPolicy {
  batchSize: number;
  inboxSeconds: number;
  queueSeconds: number;
  /** Dispatched outbox rows, and reaction receipts: a receipt matters while its event may be delivered again. */
  outboxSeconds: number;
  reactionFailuresSeconds: number;
  metricsSeconds: number;
  deadLettersSeconds: number;
  jobRunsSeconds: number;
  alertsSeconds: number;
}

export type TableRetention = BatchedDeletion;

export type RetentionResult = Record<
  | 'inbox'
  | 'queueItems'
  | 'deadLetters'
  | 'outbox'
  | 'reactionReceipts'
  | 'reactionFailures'
  | 'metrics'
  | 'jobRuns'
  | 'alerts',
  TableRetention
>;

/**
 * Deletes what TDS no longer needs, oldest first, in small batches beside live work: old
 * deliveries, finished queue items with their attempts, resolved dead letters, dispatched
 * outbox rows and their receipts, resolved reaction failures, metric buckets, job runs and
 * resolved alerts. Anything still needed stays, whatever its age: an open item, an unresolved
 * dead letter's item and delivery, an event a reaction failure may still redeliver.
 */
export class RunRetentionCommand extends Command<RetentionResult> {
  constructor(readonly policy: RetentionPolicy) {
    super();
  }
}
