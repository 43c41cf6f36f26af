import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One product's stock in one warehouse, keyed by the source's ids (it may arrive before its product). */
@Entity('inventory_stock_levels')
export class StockLevelEntity {
  @PrimaryColumn('text')
  source: string;

  @PrimaryColumn('text', { name: 'product_source_id' })
  productSourceId: string;

  @PrimaryColumn('text', { name: 'warehouse_id' })
  warehouseId: string;

  @Column('text', { name: 'warehouse_name', nullable: true })
  warehouseName: string | null;

  @Column('numeric', { name: 'on_hand', precision: 18, scale: 4 })
  onHand: string;

  @Column('numeric', { precision: 18, scale: 4, nullable: true })
  available: string | null;

  @Column('boolean', { default: false })
  deleted: boolean;

  @Column('bigint')
  version: number;

  @Column('bigint', { name: 'arrival_seq' })
  arrivalSeq: number;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;
}
