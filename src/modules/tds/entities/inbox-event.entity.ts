import { Check, Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

@Entity('tds_inbox_events')
@Check('tds_inbox_events_status_check', `status IN ('queued', 'invalid')`)
@Unique('tds_inbox_events_idempotency_key_uq', ['idempotencyKey'])
@Index('tds_inbox_events_received_idx', ['receivedAt'])
@Index('tds_inbox_events_replay_idx', ['replayKey', 'receivedAt'], { where: 'replay_key IS NOT NULL' })
@Index('tds_inbox_events_entity_idx', ['entityType', 'sourceEntityId'], { where: 'source_entity_id IS NOT NULL' })
export class InboxEventEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: number;

  @Column('text')
  source: string;

  @Column('text', { name: 'entity_type', nullable: true })
  entityType: string | null;

  @Column('text', { name: 'source_entity_id', nullable: true })
  sourceEntityId: string | null;

  @Column('text', { nullable: true })
  operation: string | null;

  @Column('bigint', { nullable: true })
  version: number | null;

  @Column('text', { name: 'idempotency_key' })
  idempotencyKey: string;

  @Column('text', { name: 'content_hash', nullable: true })
  contentHash: string | null;

  @Column('jsonb', { name: 'raw_payload', nullable: true })
  rawPayload: unknown;

  @Column('jsonb', { default: {} })
  headers: Record<string, unknown>;

  @Column('boolean', { name: 'signature_verified', default: false })
  signatureVerified: boolean;

  @Column('timestamptz', { name: 'received_at', default: () => 'now()' })
  receivedAt: Date;

  @Column('text')
  status: 'queued' | 'invalid';

  @Column('jsonb', { name: 'validation_errors', nullable: true })
  validationErrors: unknown;

  /** Set for a record versioned by its receipt time: see the replay-guard migration. */
  @Column('text', { name: 'replay_key', nullable: true })
  replayKey: string | null;
}
