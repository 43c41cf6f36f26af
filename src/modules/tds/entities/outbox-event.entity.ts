import { Column, Entity, Generated, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity('tds_outbox')
@Index('tds_outbox_pending_idx', ['id'], { where: 'dispatched_at IS NULL' })
@Index('tds_outbox_dispatched_idx', ['dispatchedAt'], { where: 'dispatched_at IS NOT NULL' })
@Index('tds_outbox_event_id_uq', ['eventId'], { unique: true })
export class OutboxEventEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: number;

  // TypeORM reads a gen_random_uuid() default back as a generated uuid, not as a default.
  @Column('uuid', { name: 'event_id' })
  @Generated('uuid')
  eventId: string;

  @Column('text', { name: 'event_type' })
  eventType: string;

  @Column('text', { name: 'correlation_id', nullable: true })
  correlationId: string | null;

  @Column('text', { name: 'causation_id', nullable: true })
  causationId: string | null;

  @Column('jsonb')
  payload: unknown;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;

  @Column('timestamptz', { name: 'dispatched_at', nullable: true })
  dispatchedAt: Date | null;
}
