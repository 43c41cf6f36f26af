import { PRODUCT_COLUMNS } from '../product.row.js';

/**
 * One keyset page: ids above the cursor, in id order, so a page costs the same however deep it
 * is and rows written meanwhile cause neither duplicates nor gaps. A filter left NULL drops
 * out: the statement is planned with its values (no prepared generic plan), so PostgreSQL
 * folds `NULL IS NULL` away and uses the filter's index (active, id / sku / the name's GIN).
 * The name expression must stay the migration's index expression word for word.
 * $1 after id, $2 active, $3 sku, $4 tsquery text (`word:* & …`), $5 rows to read (page + 1).
 */
export const LIST_PRODUCTS_SQL = `
SELECT ${PRODUCT_COLUMNS}
FROM inventory_products p
WHERE ($1::bigint IS NULL OR p.id > $1::bigint)
  AND ($2::boolean IS NULL OR p.active = $2::boolean)
  AND ($3::text IS NULL OR p.sku = $3::text)
  AND ($4::text IS NULL
       OR to_tsvector('simple', regexp_replace(p.name, '[[:punct:]]+', ' ', 'g')) @@ to_tsquery('simple', $4::text))
ORDER BY p.id
LIMIT $5`;
