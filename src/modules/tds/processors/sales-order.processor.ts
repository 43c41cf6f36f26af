import { IsOptional } from 'class-validator';
import { ClassValidatedProcessor } from './class-validated-processor.js';
import type { PayloadLimits } from './class-validated-processor.js';
import { IsDateOnly, IsKey, IsNonEmptyString } from './payload-rules.js';
import { SalesDocumentPayload } from './sales-document.payload.js';

/** A Zoho sales order (GET /inventory/v1/salesorders/{salesorder_id}). */
export class SalesOrderPayload extends SalesDocumentPayload {
  @IsKey() salesorder_id: string | number;
  @IsNonEmptyString() salesorder_number: string;
  @IsOptional() @IsDateOnly() shipment_date?: string;
}

export class SalesOrderProcessor extends ClassValidatedProcessor {
  readonly entityType = 'sales_order';
  readonly keyFields = ['salesorder_id'];

  constructor(limits: PayloadLimits) {
    super(SalesOrderPayload, limits);
  }
}
