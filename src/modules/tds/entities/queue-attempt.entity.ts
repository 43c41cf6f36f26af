import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('tds_queue_attempts')
@Check('tds_queue_attempts_outcome_check', `outcome IN ('retry', 'dead_letter')`)
export class QueueAttemptEntity {
  @PrimaryColumn('bigint', { name: 'queue_item_id' })
  queueItemId: number;

  @PrimaryColumn('integer')
  attempt: number;

  @Column('timestamptz', { name: 'started_at' })
  startedAt: Date;

  @Column('timestamptz', { name: 'failed_at' })
  failedAt: Date;

  @Column('text')
  outcome: 'retry' | 'dead_letter';

  @Column('text', { name: 'error_code' })
  errorCode: string;

  @Column('text')
  error: string;

  @Column('integer', { name: 'delay_ms', nullable: true })
  delayMs: number | null;

  @Column('integer', { name: 'ceiling_ms', nullable: true })
  ceilingMs: number | null;

  @Column('timestamptz', { name: 'next_attempt_at', nullable: true })
  nextAttemptAt: Date | null;
}
