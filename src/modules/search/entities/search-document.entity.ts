import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One searchable record, or the tombstone of a deleted one (migration 1764520000000). */
@Entity('search_documents')
@Check('search_documents_type_check', `type IN ('product', 'customer', 'invoice', 'sales_order')`)
@Index('search_documents_tsv_idx', ['tsv'], { type: 'gin', where: 'NOT deleted' })
export class SearchDocumentEntity {
  @PrimaryColumn('text')
  type: string;

  @PrimaryColumn('text')
  source: string;

  @PrimaryColumn('text', { name: 'source_id' })
  sourceId: string;

  @Column('text')
  title: string;

  @Column('text')
  body: string;

  @Column('tsvector')
  tsv: string;

  @Column('boolean', { default: false })
  deleted: boolean;

  @Column('bigint')
  version: number;

  /** The TDS queue item that wrote this version: breaks ties at equal version, like the mirror. */
  @Column('bigint', { name: 'arrival_seq' })
  arrivalSeq: number;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;
}
