import { IsIn, IsNumber, IsOptional, IsString } from 'class-validator';
import { ValidateNestedArray } from '../../../shared/validation/validate-plain.js';
import { ClassValidatedProcessor } from './class-validated-processor.js';
import type { PayloadLimits } from './class-validated-processor.js';
import { IsDateOnly, IsId, IsKey, IsNonEmptyString, IsOptionalId, IsTimestamp } from './payload-rules.js';

/** One item's change in an adjustment; Zoho names the warehouse `warehouse_id` (or `location_id` with locations). */
class AdjustmentLineItemPayload {
  @IsOptionalId() line_item_id?: string | number;
  @IsId() item_id: string | number;
  @IsOptional() @IsString() name?: string;
  @IsOptional() @IsString() description?: string;
  /** Signed: negative for stock written off. Given when the adjustment is by quantity. */
  @IsOptional() @IsNumber() quantity_adjusted?: number;
  @IsOptional() @IsNumber() item_total?: number;
  @IsOptional() @IsString() unit?: string;
  @IsOptionalId() adjustment_account_id?: string | number;
  @IsOptionalId() warehouse_id?: string | number;
  @IsOptionalId() location_id?: string | number;
}

/**
 * A Zoho Inventory adjustment (GET /inventory/v1/inventoryadjustments/{inventory_adjustment_id}):
 * a delta (theft, damage, a recount), mirrored as its own record. Stock levels are never
 * derived from it: they come from the absolute per-warehouse figures on items.
 */
export class InventoryAdjustmentPayload {
  @IsKey() inventory_adjustment_id: string | number;
  @IsDateOnly() date: string;
  @IsNonEmptyString() reason: string;
  @IsOptionalId() reason_id?: string | number;
  @IsOptional() @IsString() description?: string;
  @IsOptional() @IsString() reference_number?: string;
  @IsIn(['quantity', 'value']) adjustment_type: string;
  @IsOptional() @IsString() status?: string;
  @ValidateNestedArray(() => AdjustmentLineItemPayload) line_items: AdjustmentLineItemPayload[];
  @IsOptional() @IsTimestamp() created_time?: string;
  @IsOptional() @IsTimestamp() last_modified_time?: string;
}

export class InventoryAdjustmentProcessor extends ClassValidatedProcessor {
  readonly entityType = 'inventory_adjustment';
  readonly keyFields = ['inventory_adjustment_id'];

  constructor(limits: PayloadLimits) {
    super(InventoryAdjustmentPayload, limits);
  }
}
