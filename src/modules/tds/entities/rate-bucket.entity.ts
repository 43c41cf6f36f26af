import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A token bucket shared by every instance, per source organisation (`zoho:<organisation id>`), with its UTC day's request count. */
@Entity('tds_rate_buckets')
export class RateBucketEntity {
  @PrimaryColumn('text')
  key: string;

  @Column('double precision')
  tokens: number;

  @Column('timestamptz', { name: 'refilled_at' })
  refilledAt: Date;

  @Column('date')
  day: string;

  @Column('integer', { name: 'day_requests', default: 0 })
  dayRequests: number;

  @Column('integer', { name: 'day_budget' })
  dayBudget: number;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;
}
