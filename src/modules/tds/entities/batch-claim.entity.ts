import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** An in-flight batch; a row left behind is a batch that died (see the migration). */
@Entity('tds_batch_claims')
export class BatchClaimEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: number;

  @Column('text', { name: 'worker_id' })
  workerId: string;

  @Column('bigint', { name: 'item_ids', array: true })
  itemIds: number[];

  @Column('timestamptz', { name: 'claimed_at', default: () => 'now()' })
  claimedAt: Date;
}
