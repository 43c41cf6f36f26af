import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Per source, account and entity type: the newest record time a pull committed, where the next incremental run starts. */
@Entity('tds_sync_cursors')
export class SyncCursorEntity {
  @PrimaryColumn('text')
  source: string;

  @PrimaryColumn('text')
  account: string;

  @PrimaryColumn('text', { name: 'entity_type' })
  entityType: string;

  @Column('timestamptz', { name: 'last_modified_time', nullable: true })
  lastModifiedTime: Date | null;

  @Column('bigint', { name: 'sync_run_id', nullable: true })
  syncRunId: number | null;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;
}
