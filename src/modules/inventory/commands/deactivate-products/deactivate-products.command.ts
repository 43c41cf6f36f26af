import { Command } from '@nestjs/cqrs';
import type { QueryRunner } from 'typeorm';

/** A product deleted at the source, with the precedence of the delete. */
export interface ProductKey {
  source: string;
  sourceId: string;
  version: number;
  arrivalSeq: number;
}

/**
 * Deactivates a batch of products deleted at the source, inside the caller's transaction `tx`.
 * The rows stay (marked deleted); resolves to the ids of the products that changed.
 */
export class DeactivateProductsCommand extends Command<number[]> {
  constructor(
    readonly tx: QueryRunner,
    readonly keys: readonly ProductKey[],
  ) {
    super();
  }
}
