import { IsIn, IsNumber, IsOptional, IsString } from 'class-validator';
import { ValidateNestedArray } from '../../../shared/validation/validate-plain.js';
import { ClassValidatedProcessor } from './class-validated-processor.js';
import type { PayloadLimits } from './class-validated-processor.js';
import { IsId, IsKey, IsNonEmptyString, IsTimestamp } from './payload-rules.js';

/** One warehouse's figures on a Zoho item (`warehouses[]`); ingestion turns them into stock levels. */
class ItemWarehouse {
  @IsId() warehouse_id: string | number;
  @IsOptional() @IsString() warehouse_name?: string;
  @IsOptional() @IsNumber() warehouse_stock_on_hand?: number;
  @IsOptional() @IsNumber() warehouse_available_stock?: number;
  @IsOptional() @IsNumber() warehouse_actual_available_stock?: number;
}

/** A Zoho Inventory item (GET /inventory/v1/items/{item_id}). */
export class ProductPayload {
  @IsKey() item_id: string | number;
  @IsNonEmptyString() name: string;
  @IsOptional() @IsString() sku?: string;
  @IsOptional() @IsNumber() rate?: number;
  @IsOptional() @IsNumber() purchase_rate?: number;
  @IsOptional() @IsString() unit?: string;
  @IsOptional() @IsIn(['active', 'inactive']) status?: string;
  @IsOptional() @IsString() item_type?: string;
  @IsOptional() @IsString() product_type?: string;
  @IsOptional() @IsNumber() stock_on_hand?: number;
  @IsOptional() @IsNumber() available_stock?: number;
  @IsOptional() @IsNumber() reorder_level?: number;
  @IsOptional() @IsString() description?: string;
  @IsOptional() @ValidateNestedArray(() => ItemWarehouse) warehouses?: ItemWarehouse[];
  @IsOptional() @IsTimestamp() created_time?: string;
  @IsOptional() @IsTimestamp() last_modified_time?: string;
}

export class ProductProcessor extends ClassValidatedProcessor {
  readonly entityType = 'product';
  readonly keyFields = ['item_id'];

  constructor(limits: PayloadLimits) {
    super(ProductPayload, limits);
  }
}
