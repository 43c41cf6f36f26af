import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** A product as the inventory read model holds it; written only by the catalogue commands' SQL. */
@Entity('inventory_products')
@Unique('inventory_products_source_id_uq', ['source', 'sourceId'])
@Index('inventory_products_sku_idx', ['sku'])
@Index('inventory_products_active_idx', ['active', 'id'])
// An expression index (GIN over the name's words), which @Index cannot describe: the migration owns it.
@Index('inventory_products_name_search_idx', { synchronize: false })
export class ProductEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: number;

  @Column('text')
  source: string;

  @Column('text', { name: 'source_id' })
  sourceId: string;

  @Column('text', { nullable: true })
  sku: string | null;

  /** Empty on a tombstone: a delete seen before any version of the product. */
  @Column('text')
  name: string;

  @Column('numeric', { precision: 18, scale: 4, nullable: true })
  price: string | null;

  @Column('text', { nullable: true })
  unit: string | null;

  /** The source's own status (Zoho: active / inactive). */
  @Column('text', { nullable: true })
  status: string | null;

  /** Sellable: not deleted and not inactive at the source. */
  @Column('boolean')
  active: boolean;

  @Column('boolean', { default: false })
  deleted: boolean;

  @Column('bigint')
  version: number;

  /** The TDS queue item that carried this version: breaks ties at equal version, like the mirror. */
  @Column('bigint', { name: 'arrival_seq' })
  arrivalSeq: number;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;
}
