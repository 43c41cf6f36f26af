import { PRODUCT_COLUMNS } from '../product.row.js';

/**
 * One product with its live stock levels, in one round trip: the levels are keyed by the
 * source's ids, which the product row carries. $1 product id.
 */
export const GET_PRODUCT_SQL = `
SELECT ${PRODUCT_COLUMNS},
       COALESCE((
         SELECT jsonb_agg(jsonb_build_object(
                  'warehouseId', s.warehouse_id, 'warehouseName', s.warehouse_name,
                  'onHand', s.on_hand, 'available', s.available, 'updatedAt', s.updated_at)
                ORDER BY s.warehouse_id)
         FROM inventory_stock_levels s
         WHERE s.source = p.source AND s.product_source_id = p.source_id AND NOT s.deleted
       ), '[]'::jsonb) AS "stockLevels"
FROM inventory_products p
WHERE p.id = $1`;
