import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity('tds_dead_letters')
@Index('tds_dead_letters_open_idx', ['createdAt', 'id'], { where: 'resolved_at IS NULL' })
@Index('tds_dead_letters_queue_item_idx', ['queueItemId'])
@Index('tds_dead_letters_replay_item_idx', ['replayQueueItemId'], { where: 'replay_queue_item_id IS NOT NULL' })
@Index('tds_dead_letters_resolved_idx', ['resolvedAt'], { where: 'resolved_at IS NOT NULL' })
@Index('tds_dead_letters_replayed_idx', ['replayedAt'], { where: 'replayed_at IS NOT NULL AND resolved_at IS NULL' })
@Index('tds_dead_letters_waiting_idx', ['createdAt', 'id'], { where: 'resolved_at IS NULL AND replayed_at IS NULL' })
@Index('tds_dead_letters_retry_due_idx', ['createdAt', 'id'], { where: 'resolved_at IS NULL AND replayed_at IS NULL AND transient' })
@Index('tds_dead_letters_open_inbox_event_idx', ['inboxEventId'], { where: 'resolved_at IS NULL' })
@Index('tds_dead_letters_created_idx', ['createdAt', 'id'])
@Index('tds_dead_letters_closed_idx', ['createdAt', 'id'], { where: 'resolved_at IS NOT NULL OR replayed_at IS NOT NULL' })
@Index('tds_dead_letters_entity_type_idx', ['entityType', 'createdAt', 'id'])
@Index('tds_dead_letters_error_code_idx', ['errorCode', 'createdAt', 'id'])
@Index('tds_dead_letters_entity_idx', ['entityType', 'sourceEntityId'])
export class DeadLetterEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: number;

  @Column('bigint', { name: 'queue_item_id' })
  queueItemId: number;

  @Column('text')
  source: string;

  @Column('text', { name: 'entity_type' })
  entityType: string;

  @Column('text', { name: 'source_entity_id' })
  sourceEntityId: string;

  @Column('text')
  operation: string;

  @Column('bigint')
  version: number;

  @Column('bigint', { name: 'inbox_event_id', nullable: true })
  inboxEventId: number | null;

  @Column('bigint', { name: 'sync_run_id', nullable: true })
  syncRunId: number | null;

  @Column('text', { name: 'failure_reason' })
  failureReason: string;

  @Column('text', { name: 'error_code' })
  errorCode: string;

  @Column('integer')
  attempts: number;

  @Column('jsonb', { name: 'last_payload' })
  lastPayload: unknown;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;

  @Column('timestamptz', { name: 'resolved_at', nullable: true })
  resolvedAt: Date | null;

  @Column('text', { name: 'resolved_by', nullable: true })
  resolvedBy: string | null;

  @Column('text', { name: 'resolution_note', nullable: true })
  resolutionNote: string | null;

  @Column('timestamptz', { name: 'replayed_at', nullable: true })
  replayedAt: Date | null;

  @Column('text', { name: 'replayed_by', nullable: true })
  replayedBy: string | null;

  @Column('bigint', { name: 'replay_queue_item_id', nullable: true })
  replayQueueItemId: number | null;

  @Column('boolean', { default: false })
  transient: boolean;

  @Column('integer', { name: 'auto_replays', default: 0 })
  autoReplays: number;
}
