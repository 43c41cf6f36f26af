import { preparedSql } from '../../../../shared/database/sql.js';

/**
 * A batch of product deletes in ONE statement, $1 a JSON array of ProductKey.
 *
 * A delete never erases the row: it becomes inactive and deleted and takes the delete's
 * precedence, which ranks above an update of the same version. A product not known yet gets a
 * tombstone row (no name, inactive, deleted) holding that precedence, so an older update that
 * arrives after its delete cannot bring it back. Same batch rules as UPSERT_PRODUCTS_SQL.
 */
export const DEACTIVATE_PRODUCTS_SQL = preparedSql(
  'inventory_deactivate_products',
  `
WITH input AS (
  SELECT *
  FROM jsonb_to_recordset($1::jsonb) AS x (source text, "sourceId" text, version bigint, "arrivalSeq" bigint)
), newest AS (
  SELECT DISTINCT ON (source, "sourceId") *
  FROM input
  ORDER BY source, "sourceId", version DESC, "arrivalSeq" DESC
)
INSERT INTO inventory_products AS p (source, source_id, name, active, deleted, version, arrival_seq, updated_at)
SELECT source, "sourceId", '', false, true, version, "arrivalSeq", clock_timestamp()
FROM newest
ORDER BY source, "sourceId"
ON CONFLICT (source, source_id) DO UPDATE
SET active = false, deleted = true,
    version = excluded.version, arrival_seq = excluded.arrival_seq, updated_at = excluded.updated_at
WHERE (excluded.version, true, excluded.arrival_seq) > (p.version, p.deleted, p.arrival_seq)
RETURNING p.id`,
);
