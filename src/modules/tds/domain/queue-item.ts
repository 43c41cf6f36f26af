/** A queue item's life (the CHECK constraint of tds_sync_queue.status). */
export const QUEUE_STATUSES = [
  'pending',
  'processing',
  'completed',
  'retry',
  'dead_letter',
  'superseded',
  'unchanged',
  'cancelled',
] as const;
export type QueueStatus = (typeof QUEUE_STATUSES)[number];

/** The item's version is what the mirror holds: applied, or found there already with the same content. */
export const APPLIED_STATUSES: readonly QueueStatus[] = ['completed', 'unchanged'];

/** What a queue item does to its record in the mirror. */
export const OPERATIONS = ['create', 'update', 'delete'] as const;
export type EntityOperation = (typeof OPERATIONS)[number];

/** Items without a priority of their own; higher is claimed first (1..10). */
export const DEFAULT_PRIORITY = 5;

/**
 * Who the scheduled retry job replays dead letters as. A dead letter of an item it replayed
 * counts one more automatic replay, which is how the job's "at most N times" is kept.
 */
export const RETRY_JOB_ACTOR = 'tds:retry-job';
