import { IsBoolean, IsNumber, IsOptional, IsString } from 'class-validator';
import { ClassValidatedProcessor } from './class-validated-processor.js';
import type { PayloadLimits } from './class-validated-processor.js';
import { IsKey, IsTimestamp } from './payload-rules.js';

/**
 * One item's stock in one warehouse: Zoho's per-warehouse figures of an item (its
 * `warehouses[]` entries) with the item's id. Absolute levels, never deltas (adjustments are
 * another entity type).
 */
export class StockLevelPayload {
  @IsKey() item_id: string | number;
  @IsKey() warehouse_id: string | number;
  @IsOptional() @IsString() warehouse_name?: string;
  @IsOptional() @IsString() sku?: string;
  @IsOptional() @IsString() name?: string;
  @IsOptional() @IsBoolean() is_primary?: boolean;
  @IsNumber() warehouse_stock_on_hand: number;
  @IsOptional() @IsNumber() warehouse_available_stock?: number;
  @IsOptional() @IsNumber() warehouse_actual_available_stock?: number;
  @IsOptional() @IsNumber() warehouse_committed_stock?: number;
  @IsOptional() @IsTimestamp() last_modified_time?: string;
}

/** Source id `<item_id>:<warehouse_id>`. */
export class StockLevelProcessor extends ClassValidatedProcessor {
  readonly entityType = 'stock_level';
  readonly keyFields = ['item_id', 'warehouse_id'];

  constructor(limits: PayloadLimits) {
    super(StockLevelPayload, limits);
  }
}
