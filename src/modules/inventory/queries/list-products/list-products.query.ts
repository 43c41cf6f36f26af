import { Query } from '@nestjs/cqrs';
import type { ProductPageDto } from './list-products.dto.js';

export interface ListProductsFilters {
  active?: boolean;
  sku?: string;
  /** Name words, each a prefix. */
  q?: string;
  /** The previous page's nextCursor. */
  cursor?: string;
  /** Default 50, at most 200. */
  limit?: number;
}

/** One keyset page of products in id order; an invalid cursor fails with VALIDATION_FAILED. */
export class ListProductsQuery extends Query<ProductPageDto> {
  constructor(readonly filters: ListProductsFilters = {}) {
    super();
  }
}
