import { IsNumber, IsOptional, IsString } from 'class-validator';
import { ValidateNestedArray } from '../../../shared/validation/validate-plain.js';
import { IsDateOnly, IsId, IsNonEmptyString, IsOptionalId, IsTimestamp } from './payload-rules.js';

/** A line of an invoice or a sales order. A line without `item_id` is free text, which Zoho allows. */
export class LineItemPayload {
  @IsOptionalId() line_item_id?: string | number;
  @IsOptionalId() item_id?: string | number;
  @IsOptional() @IsString() name?: string;
  @IsOptional() @IsString() description?: string;
  @IsOptional() @IsString() sku?: string;
  @IsNumber() rate: number;
  @IsNumber() quantity: number;
  @IsOptional() @IsString() unit?: string;
  @IsOptionalId() tax_id?: string | number;
  @IsOptional() @IsNumber() item_total?: number;
}

/** What Zoho's invoices and sales orders share: a customer, a date, a status, lines and a total. */
export abstract class SalesDocumentPayload {
  @IsId() customer_id: string | number;
  @IsOptional() @IsString() customer_name?: string;
  @IsDateOnly() date: string;
  @IsNonEmptyString() status: string;
  @IsOptional() @IsString() reference_number?: string;
  @IsOptionalId() currency_id?: string | number;
  @IsOptional() @IsString() currency_code?: string;
  @IsOptional() @IsNumber() sub_total?: number;
  @IsNumber() total: number;
  @ValidateNestedArray(() => LineItemPayload) line_items: LineItemPayload[];
  @IsOptional() @IsTimestamp() created_time?: string;
  @IsOptional() @IsTimestamp() last_modified_time?: string;
}
