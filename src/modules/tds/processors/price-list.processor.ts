import { IsBoolean, IsIn, IsNumber, IsOptional, IsString } from 'class-validator';
import { ValidateNestedArray } from '../../../shared/validation/validate-plain.js';
import { ClassValidatedProcessor } from './class-validated-processor.js';
import type { PayloadLimits } from './class-validated-processor.js';
import { IsId, IsKey, IsNonEmptyString, IsOptionalId } from './payload-rules.js';

/** An item's rate in a per-item price book. */
class PricebookItemPayload {
  @IsId() item_id: string | number;
  @IsOptional() @IsString() name?: string;
  @IsOptional() @IsNumber() pricebook_rate?: number;
}

/** A Zoho price list, "pricebook" in the API (GET /inventory/v1/pricebooks/{pricebook_id}). */
export class PriceListPayload {
  @IsKey() pricebook_id: string | number;
  @IsNonEmptyString() name: string;
  @IsOptional() @IsString() description?: string;
  @IsOptionalId() currency_id?: string | number;
  @IsOptional() @IsString() currency_code?: string;
  @IsOptional() @IsIn(['fixed_percentage', 'per_item']) pricebook_type?: string;
  @IsOptional() @IsIn(['active', 'inactive']) status?: string;
  @IsOptional() @IsBoolean() is_default?: boolean;
  @IsOptional() @IsBoolean() is_increase?: boolean;
  @IsOptional() @IsNumber() percentage?: number;
  @IsOptional() @IsString() rounding_type?: string;
  @IsOptional() @IsString() sales_or_purchase_type?: string;
  @IsOptional() @ValidateNestedArray(() => PricebookItemPayload) pricebook_items?: PricebookItemPayload[];
}

export class PriceListProcessor extends ClassValidatedProcessor {
  readonly entityType = 'price_list';
  readonly keyFields = ['pricebook_id'];

  constructor(limits: PayloadLimits) {
    super(PriceListPayload, limits);
  }
}
