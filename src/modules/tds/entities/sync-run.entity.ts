import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity('tds_sync_runs')
@Check('tds_sync_runs_kind_check', `kind IN ('pull', 'bulk', 'replay', 'webhook')`)
@Check('tds_sync_runs_window_check', `(kind = 'webhook') = (window_start IS NOT NULL)`)
@Check(
  'tds_sync_runs_status_check',
  `status IN ('pending', 'running', 'completed', 'partial', 'failed', 'cancelled')`,
)
// The migrations order created_at and id DESC, which @Index cannot say; TypeORM compares names and columns only.
@Index('tds_sync_runs_created_idx', ['createdAt', 'id'])
@Index('tds_sync_runs_status_idx', ['status', 'createdAt', 'id'])
@Index('tds_sync_runs_entity_type_idx', ['entityType', 'createdAt', 'id'])
@Index('tds_sync_runs_webhook_window_uq', ['source', 'windowStart'], { unique: true, where: `kind = 'webhook'` })
@Index('tds_sync_runs_webhook_open_idx', ['windowStart'], { where: `kind = 'webhook' AND status = 'running'` })
@Index('tds_sync_runs_unsuccessful_idx', ['completedAt'], { where: `status IN ('partial', 'failed')` })
@Check('tds_sync_runs_mode_check', `mode IS NULL OR (kind = 'pull' AND mode IN ('full', 'incremental'))`)
@Index('tds_sync_runs_pull_open_idx', ['createdAt'], { where: `kind = 'pull' AND fetched_at IS NULL AND status IN ('pending', 'running')` })
@Index('tds_sync_runs_pull_fetching_uq', ['source', 'account', 'entityType'], {
  unique: true,
  where: `kind = 'pull' AND fetched_at IS NULL AND status IN ('pending', 'running')`,
})
export class SyncRunEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: number;

  @Column('text')
  kind: 'pull' | 'bulk' | 'replay' | 'webhook';

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

  /** A webhook run's hour (UTC): its deliveries are those stored in [window_start, window_start + 1 h). Null for other kinds. */
  @Column('timestamptz', { name: 'window_start', nullable: true })
  windowStart: Date | null;

  @Column('jsonb', { name: 'error_summary', nullable: true })
  errorSummary: unknown;

  @Column('text', { name: 'cursor_from', nullable: true })
  cursorFrom: string | null;

  @Column('text', { name: 'cursor_to', nullable: true })
  cursorTo: string | null;

  /** Pull runs: the source account pulled from. */
  @Column('text', { nullable: true })
  account: string | null;

  /** Pull runs: full (from the beginning) or incremental (from the cursor). Null for other kinds. */
  @Column('text', { nullable: true })
  mode: 'full' | 'incremental' | null;

  /** Pull runs: the instance holding the lease, and until when. */
  @Column('text', { name: 'locked_by', nullable: true })
  lockedBy: string | null;

  @Column('timestamptz', { name: 'locked_until', nullable: true })
  lockedUntil: Date | null;

  /** The fencing token: raised on every take-over; a write naming an older one changes nothing. */
  @Column('bigint', { name: 'lease_token', default: 0 })
  leaseToken: number;

  /** Pull runs: when the last page was fetched. Until then the run is open, whatever its counters say. */
  @Column('timestamptz', { name: 'fetched_at', nullable: true })
  fetchedAt: Date | null;

  /** Pull runs: where the fetch stands (PullProgress). */
  @Column('jsonb', { nullable: true })
  progress: unknown;
}
