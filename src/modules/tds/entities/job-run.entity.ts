import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A scheduled job's claim on one tick (wall-clock bucket): at most one row, so one run, per cluster. */
@Entity('tds_job_runs')
@Check('tds_job_runs_outcome_check', `outcome IN ('running', 'succeeded', 'failed')`)
@Index('tds_job_runs_started_idx', ['startedAt'])
export class JobRunEntity {
  @PrimaryColumn('text')
  job: string;

  @PrimaryColumn('bigint')
  tick: number;

  @Column('text')
  instance: string;

  @Column('timestamptz', { name: 'started_at', default: () => 'clock_timestamp()' })
  startedAt: Date;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt: Date | null;

  @Column('integer', { name: 'duration_ms', nullable: true })
  durationMs: number | null;

  @Column('text', { default: 'running' })
  outcome: 'running' | 'succeeded' | 'failed';

  @Column('jsonb', { nullable: true })
  detail: unknown;
}
