import { Command } from '@nestjs/cqrs';
import type { QueryRunner } from 'typeorm';

/** One product's absolute stock in one warehouse (never a delta), with the precedence of its change. */
export interface StockLevelChange {
  source: string;
  productSourceId: string;
  warehouseId: string;
  warehouseName: string | null;
  /** Decimal text (exact); null only on a delete that carries no figures. */
  onHand: string | null;
  available: string | null;
  /** Deleted at the source: the row is kept, marked deleted, with its last figures. */
  deleted: boolean;
  version: number;
  arrivalSeq: number;
}

/**
 * Writes a batch of stock levels inside the caller's transaction `tx`. Resolves to the ids of
 * the known products whose levels changed (a level may arrive before its product).
 */
export class SetStockLevelsCommand extends Command<number[]> {
  constructor(
    readonly tx: QueryRunner,
    readonly levels: readonly StockLevelChange[],
  ) {
    super();
  }
}
