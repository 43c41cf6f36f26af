import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity('tds_alerts')
@Check('tds_alerts_severity_check', `severity IN ('info', 'warning', 'error', 'critical')`)
@Check('tds_alerts_status_check', `status IN ('active', 'acknowledged', 'resolved')`)
@Index('tds_alerts_open_uq', ['fingerprint'], { unique: true, where: `status <> 'resolved'` })
// The migration orders both columns DESC, which @Index cannot say; TypeORM compares names and columns only.
@Index('tds_alerts_triggered_idx', ['triggeredAt', 'id'])
export class AlertEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: number;

  @Column('text')
  rule: string;

  @Column('text')
  fingerprint: string;

  @Column('text')
  severity: 'info' | 'warning' | 'error' | 'critical';

  @Column('text')
  title: string;

  @Column('text')
  message: string;

  @Column('text', { name: 'entity_type', nullable: true })
  entityType: string | null;

  @Column('jsonb', { nullable: true })
  actual: unknown;

  @Column('jsonb', { nullable: true })
  threshold: unknown;

  @Column('text', { default: 'active' })
  status: 'active' | 'acknowledged' | 'resolved';

  @Column('timestamptz', { name: 'triggered_at', default: () => 'now()' })
  triggeredAt: Date;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;

  @Column('timestamptz', { name: 'last_notified_at', nullable: true })
  lastNotifiedAt: Date | null;

  @Column('timestamptz', { name: 'acknowledged_at', nullable: true })
  acknowledgedAt: Date | null;

  @Column('text', { name: 'acknowledged_by', nullable: true })
  acknowledgedBy: string | null;

  @Column('timestamptz', { name: 'resolved_at', nullable: true })
  resolvedAt: Date | null;
}
