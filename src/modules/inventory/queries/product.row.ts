import type { ProductDto } from './product.dto.js';

/** A product row as the read statements select it (bigint and numeric arrive as text from `pg`). */
export interface ProductRow {
  id: string | number;
  source: string;
  sourceId: string;
  sku: string | null;
  name: string;
  price: string | null;
  unit: string | null;
  status: string | null;
  active: boolean;
  deleted: boolean;
  version: string | number;
  updatedAt: Date | string;
}

/** The columns every product read selects, in ProductRow's names. */
export const PRODUCT_COLUMNS = `p.id, p.source, p.source_id AS "sourceId", p.sku, p.name, p.price, p.unit, p.status,
  p.active, p.deleted, p.version, p.updated_at AS "updatedAt"`;

/** numeric arrives as text (from `pg` and PGlite columns) or as a JSON number (inside jsonb); the API answers numbers. */
export const toDecimalNumber = (value: string | number | null): number | null => (value === null ? null : Number(value));

export function toProductDto(row: ProductRow): ProductDto {
  return {
    id: Number(row.id),
    source: row.source,
    sourceId: row.sourceId,
    sku: row.sku,
    name: row.name,
    price: toDecimalNumber(row.price),
    unit: row.unit,
    status: row.status,
    active: row.active,
    deleted: row.deleted,
    version: Number(row.version),
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}
