import { IsNumber, IsOptional } from 'class-validator';
import { ClassValidatedProcessor } from './class-validated-processor.js';
import type { PayloadLimits } from './class-validated-processor.js';
import { IsDateOnly, IsKey, IsNonEmptyString } from './payload-rules.js';
import { SalesDocumentPayload } from './sales-document.payload.js';

/** A Zoho invoice (GET /books/v3/invoices/{invoice_id}). */
export class InvoicePayload extends SalesDocumentPayload {
  @IsKey() invoice_id: string | number;
  @IsNonEmptyString() invoice_number: string;
  @IsOptional() @IsDateOnly() due_date?: string;
  @IsOptional() @IsNumber() balance?: number;
}

export class InvoiceProcessor extends ClassValidatedProcessor {
  readonly entityType = 'invoice';
  readonly keyFields = ['invoice_id'];

  constructor(limits: PayloadLimits) {
    super(InvoicePayload, limits);
  }
}
