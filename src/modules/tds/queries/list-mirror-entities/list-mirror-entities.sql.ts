/**
 * One keyset page of the mirror: the primary key's order, starting after the cursor, so every
 * page costs the same however deep into the table it is. Placeholders (arrival_seq 0: a new
 * entity whose first change has not committed yet) are not records yet.
 * $1 entity types, $2..$4 the last key of the previous page (nulls for the first), $5 limit.
 */
export const LIST_MIRROR_ENTITIES_SQL = `
SELECT source, entity_type AS "entityType", source_entity_id AS "sourceEntityId", version,
       arrival_seq AS "arrivalSeq", deleted, data
FROM tds_entities
WHERE entity_type = ANY ($1::text[]) AND arrival_seq > 0
  AND ($2::text IS NULL OR (source, entity_type, source_entity_id) > ($2, $3, $4))
ORDER BY source, entity_type, source_entity_id
LIMIT $5`;
