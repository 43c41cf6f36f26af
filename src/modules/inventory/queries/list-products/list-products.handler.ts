import { createHash, randomUUID } from 'node:crypto';
import { QueryHandler } from '@nestjs/cqrs';
import type { IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { AppCache } from '../../../../shared/cache/app-cache.js';
import { queryRows } from '../../../../shared/database/sql.js';
import { decodeCursor, encodeCursor } from '../../../../shared/pagination/keyset-cursor.js';
import { ValidationFailedError } from '../../../../shared/errors/domain-error.js';
import { LIST_GENERATION_KEY, listCacheKey } from '../../cache/inventory-cache.keys.js';
import { toProductDto } from '../product.row.js';
import type { ProductRow } from '../product.row.js';
import { pageSize } from '../../../../shared/pagination/keyset-page-query.dto.js';
import type { ProductPageDto } from './list-products.dto.js';
import { ListProductsQuery } from './list-products.query.js';
import type { ListProductsFilters } from './list-products.query.js';
import { LIST_PRODUCTS_SQL } from './list-products.sql.js';

/** What a page depends on, normalised: equal pages share one cache entry. */
interface PageRequest {
  after: number | null;
  active: boolean | null;
  sku: string | null;
  tsquery: string | null;
  limit: number;
}

const MAX_WORDS = 16;

const isProductKey = (key: unknown[]) => key.length === 1 && Number.isSafeInteger(key[0]) && (key[0] as number) > 0;

/**
 * Search text → `word:* & word:*`. Words are split on punctuation, symbols and spaces, as the
 * index splits names, so `Laptop-white` finds "Laptop-white/15inch/dell"; what remains are
 * letters and digits, which cannot be tsquery syntax.
 */
function prefixQuery(q: string): string {
  const words = q
    .toLowerCase()
    .split(/[\p{P}\p{S}\p{Z}\p{C}\s]+/u)
    .filter((word) => word.length > 0)
    .slice(0, MAX_WORDS);
  if (words.length === 0) throw new ValidationFailedError([{ path: 'q', message: 'q must contain a letter or a digit' }]);
  return words.map((word) => `${word}:*`).join(' & ');
}

@QueryHandler(ListProductsQuery)
export class ListProductsHandler implements IQueryHandler<ListProductsQuery, ProductPageDto> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cache: AppCache,
  ) {}

  async execute({ filters }: ListProductsQuery): Promise<ProductPageDto> {
    const page = this.pageRequest(filters);
    const generation = await this.cache.getOrLoad(LIST_GENERATION_KEY, async () => randomUUID());
    const hash = createHash('sha256').update(JSON.stringify(page)).digest('base64url');
    return this.cache.getOrLoad(listCacheKey(generation, hash), () => this.load(page));
  }

  private pageRequest(filters: ListProductsFilters): PageRequest {
    return {
      after: filters.cursor === undefined ? null : decodeCursor<[number]>(filters.cursor, 'cursor', isProductKey)[0],
      active: filters.active ?? null,
      sku: filters.sku ?? null,
      tsquery: filters.q === undefined ? null : prefixQuery(filters.q),
      limit: pageSize(filters.limit),
    };
  }

  private async load({ after, active, sku, tsquery, limit }: PageRequest): Promise<ProductPageDto> {
    // One row beyond the page says whether another page follows: no empty last page.
    const rows = await queryRows<ProductRow>(this.dataSource, LIST_PRODUCTS_SQL, [after, active, sku, tsquery, limit + 1]);
    const items = rows.slice(0, limit).map(toProductDto);
    return { items, nextCursor: rows.length > limit ? encodeCursor([items[items.length - 1].id]) : null };
  }
}
