import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

@Entity('tds_reaction_receipts')
@Index('tds_reaction_receipts_created_idx', ['createdAt'])
export class ReactionReceiptEntity {
  @PrimaryColumn('text')
  reaction: string;

  @PrimaryColumn('uuid', { name: 'event_id' })
  eventId: string;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;
}

@Entity('tds_reaction_failures')
@Index('tds_reaction_failures_open_uq', ['reaction', 'eventId'], { unique: true, where: 'resolved_at IS NULL' })
@Index('tds_reaction_failures_due_idx', ['nextAttemptAt'], { where: 'resolved_at IS NULL AND exhausted_at IS NULL' })
export class ReactionFailureEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: number;

  @Column('text')
  reaction: string;

  @Column('uuid', { name: 'event_id' })
  eventId: string;

  @Column('text', { name: 'event_type' })
  eventType: string;

  @Column('integer')
  attempts: number;

  @Column('text', { name: 'last_error' })
  lastError: string;

  @Column('timestamptz', { name: 'next_attempt_at' })
  nextAttemptAt: Date;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;

  @Column('timestamptz', { name: 'exhausted_at', nullable: true })
  exhaustedAt: Date | null;

  @Column('timestamptz', { name: 'resolved_at', nullable: true })
  resolvedAt: Date | null;
}

@Entity('tds_reaction_cursors')
export class ReactionCursorEntity {
  @PrimaryColumn('text')
  reaction: string;

  @Column('bigint', { name: 'checked_up_to' })
  checkedUpTo: number;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;
}

export const REACTION_ENTITIES = [ReactionReceiptEntity, ReactionFailureEntity, ReactionCursorEntity];
