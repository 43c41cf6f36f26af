import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { OPERATIONS, QueueStatus } from '../domain/queue-item.js';

/** The arrival sequence is the id (see the migration): later enqueued, higher id. */
@Entity('tds_sync_queue')
@Check('tds_sync_queue_operation_check', `operation IN ('create', 'update', 'delete')`)
@Check('tds_sync_queue_priority_check', `priority BETWEEN 1 AND 10`)
@Check(
  'tds_sync_queue_status_check',
  `status IN ('pending', 'processing', 'completed', 'retry', 'dead_letter', 'superseded', 'unchanged', 'cancelled')`,
)
// The migration orders priority DESC, which @Index cannot say; TypeORM compares names and columns only.
@Index('tds_sync_queue_claim_idx', ['priority', 'nextAttemptAt'], {
  where: `status IN ('pending', 'retry') AND crash_count = 0`,
})
@Index('tds_sync_queue_isolated_idx', ['nextAttemptAt'], {
  where: `status IN ('pending', 'retry') AND crash_count > 0`,
})
@Index('tds_sync_queue_run_open_idx', ['syncRunId'], { where: `status IN ('pending', 'retry')` })
@Index('tds_sync_queue_finished_idx', ['completedAt'], {
  where: `status IN ('completed', 'unchanged', 'superseded', 'cancelled')`,
})
@Index('tds_sync_queue_inbox_event_idx', ['inboxEventId'], { where: 'inbox_event_id IS NOT NULL' })
@Index('tds_sync_queue_entity_idx', ['entityType', 'sourceEntityId'])
@Index('tds_sync_queue_run_failed_idx', ['syncRunId'], { where: `status IN ('retry', 'dead_letter')` })
@Index('tds_sync_queue_processing_idx', ['lockedUntil'], { where: `status = 'processing'` })
export class SyncQueueItemEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: number;

  @Column('text')
  source: string;

  @Column('bigint', { name: 'inbox_event_id', nullable: true })
  inboxEventId: number | null;

  @Column('bigint', { name: 'sync_run_id', nullable: true })
  syncRunId: number | null;

  @Column('text', { name: 'entity_type' })
  entityType: string;

  @Column('text', { name: 'source_entity_id' })
  sourceEntityId: string;

  @Column('text')
  operation: (typeof OPERATIONS)[number];

  @Column('bigint')
  version: number;

  @Column('jsonb')
  payload: unknown;

  // TypeORM reads this expression back from its typeorm_metadata table, which the raw-SQL migration
  // leaves empty; entities-match-migrations.spec.ts checks it against the catalogue instead.
  @Column({
    type: 'text',
    name: 'content_hash',
    nullable: true,
    generatedType: 'STORED',
    asExpression: 'md5(payload::text)',
    // TypeORM still writes generated columns unless told not to; PostgreSQL rejects any value but DEFAULT.
    insert: false,
    update: false,
  })
  contentHash: string | null;

  @Column('smallint', { default: 5 })
  priority: number;

  @Column('text', { default: 'pending' })
  status: QueueStatus;

  @Column('integer', { default: 0 })
  attempt: number;

  @Column('integer', { name: 'max_attempts' })
  maxAttempts: number;

  @Column('integer', { name: 'crash_count', default: 0 })
  crashCount: number;

  @Column('timestamptz', { name: 'next_attempt_at', default: () => 'now()' })
  nextAttemptAt: Date;

  @Column('text', { name: 'last_error', nullable: true })
  lastError: string | null;

  @Column('text', { name: 'error_code', nullable: true })
  errorCode: string | null;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;

  @Column('timestamptz', { name: 'started_at', nullable: true })
  startedAt: Date | null;

  @Column('timestamptz', { name: 'completed_at', nullable: true })
  completedAt: Date | null;

  @Column('text', { name: 'locked_by', nullable: true })
  lockedBy: string | null;

  @Column('timestamptz', { name: 'locked_until', nullable: true })
  lockedUntil: Date | null;

  @Column('uuid', { name: 'lease_token', nullable: true })
  leaseToken: string | null;
}
