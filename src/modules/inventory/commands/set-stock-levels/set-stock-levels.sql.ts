import { preparedSql } from '../../../../shared/database/sql.js';

/**
 * A batch of stock levels in ONE statement, $1 a JSON array of StockLevelChange.
 *
 * Same precedence as the products and the mirror: (version, deleted, arrival_seq), the highest
 * change per key of the batch, written only above the stored row's, keys in order. A delete
 * keeps the last figures (a tombstone takes the delete's, 0 when it has none). The statement
 * answers with the products whose levels it wrote, whose cached reads are now stale.
 */
export const SET_STOCK_LEVELS_SQL = preparedSql(
  'inventory_set_stock_levels',
  `
WITH input AS (
  SELECT *
  FROM jsonb_to_recordset($1::jsonb) AS x (
    source text, "productSourceId" text, "warehouseId" text, "warehouseName" text,
    "onHand" numeric, available numeric, deleted boolean, version bigint, "arrivalSeq" bigint)
), newest AS (
  SELECT DISTINCT ON (source, "productSourceId", "warehouseId") *
  FROM input
  ORDER BY source, "productSourceId", "warehouseId", version DESC, deleted DESC, "arrivalSeq" DESC
), written AS (
  INSERT INTO inventory_stock_levels AS s
    (source, product_source_id, warehouse_id, warehouse_name, on_hand, available, deleted, version, arrival_seq, updated_at)
  SELECT source, "productSourceId", "warehouseId", "warehouseName", COALESCE("onHand", 0), available, deleted,
         version, "arrivalSeq", clock_timestamp()
  FROM newest
  ORDER BY source, "productSourceId", "warehouseId"
  ON CONFLICT (source, product_source_id, warehouse_id) DO UPDATE
  SET warehouse_name = CASE WHEN excluded.deleted THEN s.warehouse_name ELSE excluded.warehouse_name END,
      on_hand = CASE WHEN excluded.deleted THEN s.on_hand ELSE excluded.on_hand END,
      available = CASE WHEN excluded.deleted THEN s.available ELSE excluded.available END,
      deleted = excluded.deleted,
      version = excluded.version, arrival_seq = excluded.arrival_seq, updated_at = excluded.updated_at
  WHERE (excluded.version, excluded.deleted, excluded.arrival_seq) > (s.version, s.deleted, s.arrival_seq)
  RETURNING s.source, s.product_source_id
)
SELECT DISTINCT p.id
FROM written w
JOIN inventory_products p ON p.source = w.source AND p.source_id = w.product_source_id`,
);
