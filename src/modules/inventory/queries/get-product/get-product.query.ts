import { Query } from '@nestjs/cqrs';
import type { ProductDetailDto } from '../product.dto.js';

/** One product with its stock levels; fails with INVENTORY.PRODUCT_NOT_FOUND. */
export class GetProductQuery extends Query<ProductDetailDto> {
  constructor(readonly id: number) {
    super();
  }
}
