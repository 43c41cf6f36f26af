import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One delta row of a per-minute bucket; a bucket's figures are the sum of its rows. */
@Entity('tds_metrics')
@Index('tds_metrics_bucket_idx', ['bucket', 'source', 'entityType'])
@Index('tds_metrics_unrolled_idx', ['bucket', 'source', 'entityType'], { where: 'NOT rolled_up' })
@Index('tds_metrics_success_idx', ['entityType', 'bucket'], { where: 'applied + unchanged > 0' })
export class MetricBucketEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: number;

  @Column('timestamptz')
  bucket: Date;

  @Column('text')
  source: string;

  @Column('text', { name: 'entity_type' })
  entityType: string;

  @Column('integer', { default: 0 })
  received: number;

  @Column('integer', { default: 0 })
  applied: number;

  @Column('integer', { default: 0 })
  unchanged: number;

  @Column('integer', { default: 0 })
  superseded: number;

  @Column('integer', { default: 0 })
  failed: number;

  @Column('integer', { default: 0 })
  retried: number;

  @Column('integer', { name: 'dead_lettered', default: 0 })
  deadLettered: number;

  @Column('bigint', { name: 'latency_sum_ms', default: 0 })
  latencySumMs: number;

  @Column('bigint', { name: 'latency_max_ms', default: 0 })
  latencyMaxMs: number;

  @Column('boolean', { name: 'rolled_up', default: false })
  rolledUp: boolean;
}
