import { Command } from '@nestjs/cqrs';
import type { QueryRunner } from 'typeorm';

/** One product version as the source sent it, with the precedence of the change that carried it. */
export interface ProductUpsert {
  source: string;
  sourceId: string;
  sku: string | null;
  name: string;
  /** Decimal text (exact), or null when the source has no price. */
  price: string | null;
  unit: string | null;
  status: string | null;
  active: boolean;
  version: number;
  /** The TDS queue item of the change: breaks ties at equal version. */
  arrivalSeq: number;
}

/**
 * Writes a batch of product versions inside the caller's transaction `tx` (a durable reaction's,
 * so the rows commit with its receipts). Resolves to the ids of the products that changed; an
 * older change than the stored one changes nothing and is not among them.
 */
export class UpsertProductsCommand extends Command<number[]> {
  constructor(
    readonly tx: QueryRunner,
    readonly products: readonly ProductUpsert[],
  ) {
    super();
  }
}
