import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity('tds_sync_runs')
@Check('tds_sync_runs_kind_check', `kind IN ('pull', 'bulk', 'replay')`)
@Check(
  'tds_sync_runs_status_check',
  `status IN ('pending', 'running', 'completed', 'partial', 'failed', 'cancelled')`,
)
// The migrations order created_at and id DESC, which @Index cannot say; TypeORM compares names and columns only.
@Index('tds_sync_runs_created_idx', ['createdAt', 'id'])
@Index('tds_sync_runs_status_idx', ['status', 'createdAt', 'id'])
@Index('tds_sync_runs_entity_type_idx', ['entityType', 'createdAt', 'id'])
export class SyncRunEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: number;

  @Column('text')
  kind: 'pull' | 'bulk' | 'replay';

  @Column('text')
  source: string;

  @Column('text', { name: 'entity_type', nullable: true })
  entityType: string | null;

  @Column('text', { default: 'pending' })
  status: 'pending' | 'running' | 'completed' | 'partial' | 'failed' | 'cancelled';

  @Column('integer', { default: 0 })
  total: number;

  @Column('integer', { default: 0 })
  processed: number;

  @Column('integer', { default: 0 })
  succeeded: number;

  @Column('integer', { default: 0 })
  failed: number;

  @Column('integer', { default: 0 })
  skipped: number;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;

  @Column('timestamptz', { name: 'started_at', nullable: true })
  startedAt: Date | null;

  @Column('timestamptz', { name: 'completed_at', nullable: true })
  completedAt: Date | null;

  @Column('jsonb', { name: 'error_summary', nullable: true })
  errorSummary: unknown;

  @Column('text', { name: 'cursor_from', nullable: true })
  cursorFrom: string | null;

  @Column('text', { name: 'cursor_to', nullable: true })
  cursorTo: string | null;
}
