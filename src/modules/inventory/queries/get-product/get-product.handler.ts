import { QueryHandler } from '@nestjs/cqrs';
import type { IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { AppCache } from '../../../../shared/cache/app-cache.js';
import { queryRows } from '../../../../shared/database/sql.js';
import { productCacheKey } from '../../cache/inventory-cache.keys.js';
import { ProductNotFoundError } from './get-product.errors.js';
import { GetProductQuery } from './get-product.query.js';
import { GET_PRODUCT_SQL } from './get-product.sql.js';
import type { ProductDetailDto } from '../product.dto.js';
import { toDecimalNumber, toProductDto } from '../product.row.js';
import type { ProductRow } from '../product.row.js';

interface StockLevelJson {
  warehouseId: string;
  warehouseName: string | null;
  onHand: number | string;
  available: number | string | null;
  updatedAt: string;
}

@QueryHandler(GetProductQuery)
export class GetProductHandler implements IQueryHandler<GetProductQuery, ProductDetailDto> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cache: AppCache,
  ) {}

  /** A missing product throws inside the load, so it is never cached: its id may be created next. */
  execute({ id }: GetProductQuery): Promise<ProductDetailDto> {
    return this.cache.getOrLoad(productCacheKey(id), () => this.load(id));
  }

  private async load(id: number): Promise<ProductDetailDto> {
    const [row] = await queryRows<ProductRow & { stockLevels: StockLevelJson[] }>(this.dataSource, GET_PRODUCT_SQL, [id]);
    if (!row) throw new ProductNotFoundError(id);
    return {
      ...toProductDto(row),
      stockLevels: row.stockLevels.map((level) => ({
        warehouseId: level.warehouseId,
        warehouseName: level.warehouseName,
        onHand: Number(level.onHand),
        available: toDecimalNumber(level.available),
        updatedAt: new Date(level.updatedAt).toISOString(),
      })),
    };
  }
}
