import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A record as the mirror holds it (ARCHITECTURE §3). */
@Entity('tds_entities')
export class MirrorEntityEntity {
  @PrimaryColumn('text')
  source: string;

  @PrimaryColumn('text', { name: 'entity_type' })
  entityType: string;

  @PrimaryColumn('text', { name: 'source_entity_id' })
  sourceEntityId: string;

  @Column('bigint')
  version: number;

  /** The id of the queue item that wrote this version: breaks ties at equal version. */
  @Column('bigint', { name: 'arrival_seq' })
  arrivalSeq: number;

  @Column('text', { name: 'content_hash' })
  contentHash: string;

  @Column('jsonb')
  data: unknown;

  @Column('boolean', { default: false })
  deleted: boolean;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;

  @Column('timestamptz', { name: 'synced_at', default: () => 'now()' })
  syncedAt: Date;
}
