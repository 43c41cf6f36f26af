import { IsIn, IsInt, IsNumber, IsOptional, IsString } from 'class-validator';
import { ClassValidatedProcessor } from './class-validated-processor.js';
import type { PayloadLimits } from './class-validated-processor.js';
import { IsKey, IsNonEmptyString, IsOptionalEmail, IsOptionalId, IsTimestamp } from './payload-rules.js';

/** A Zoho contact (GET /books/v3/contacts/{contact_id}); vendors are contacts too. */
export class CustomerPayload {
  @IsKey() contact_id: string | number;
  @IsNonEmptyString() contact_name: string;
  @IsOptional() @IsString() company_name?: string;
  @IsOptionalEmail() email?: string;
  @IsOptional() @IsString() phone?: string;
  @IsOptional() @IsString() mobile?: string;
  @IsOptional() @IsIn(['customer', 'vendor']) contact_type?: string;
  @IsOptional() @IsString() customer_sub_type?: string;
  @IsOptional() @IsIn(['active', 'inactive']) status?: string;
  @IsOptionalId() currency_id?: string | number;
  @IsOptional() @IsString() currency_code?: string;
  @IsOptional() @IsInt() payment_terms?: number;
  @IsOptional() @IsNumber() outstanding_receivable_amount?: number;
  @IsOptional() @IsTimestamp() created_time?: string;
  @IsOptional() @IsTimestamp() last_modified_time?: string;
}

export class CustomerProcessor extends ClassValidatedProcessor {
  readonly entityType = 'customer';
  readonly keyFields = ['contact_id'];

  constructor(limits: PayloadLimits) {
    super(CustomerPayload, limits);
  }
}
