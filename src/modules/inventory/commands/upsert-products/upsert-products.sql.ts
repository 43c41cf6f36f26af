import { preparedSql } from '../../../../shared/database/sql.js';

/**
 * A batch of product versions in ONE statement, $1 a JSON array of ProductUpsert.
 *
 * Precedence is the TDS mirror's: (version, is_delete, arrival_seq). A version is written only
 * when it ranks above the row's, so a replayed event, a duplicate or an older change arriving
 * late changes nothing, and an update never beats a delete of the same version. Within the
 * batch only the highest change per key goes in (ON CONFLICT may not touch a row twice). Rows
 * go in key order so two batches over the same keys lock them in the same order.
 * An update above a delete brings the product back: the source has it again.
 * RETURNING lists only the rows written: skipped ones are not returned by ON CONFLICT … WHERE.
 */
export const UPSERT_PRODUCTS_SQL = preparedSql(
  'inventory_upsert_products',
  `
WITH input AS (
  SELECT *
  FROM jsonb_to_recordset($1::jsonb) AS x (
    source text, "sourceId" text, sku text, name text, price numeric, unit text, status text,
    active boolean, version bigint, "arrivalSeq" bigint)
), newest AS (
  SELECT DISTINCT ON (source, "sourceId") *
  FROM input
  ORDER BY source, "sourceId", version DESC, "arrivalSeq" DESC
)
INSERT INTO inventory_products AS p
  (source, source_id, sku, name, price, unit, status, active, deleted, version, arrival_seq, updated_at)
SELECT source, "sourceId", sku, name, price, unit, status, active, false, version, "arrivalSeq", clock_timestamp()
FROM newest
ORDER BY source, "sourceId"
ON CONFLICT (source, source_id) DO UPDATE
SET sku = excluded.sku, name = excluded.name, price = excluded.price, unit = excluded.unit,
    status = excluded.status, active = excluded.active, deleted = false,
    version = excluded.version, arrival_seq = excluded.arrival_seq, updated_at = excluded.updated_at
WHERE (excluded.version, false, excluded.arrival_seq) > (p.version, p.deleted, p.arrival_seq)
RETURNING p.id`,
);
