import { preparedSql } from '../../../../shared/database/sql.js';

/**
 * Tombstones a batch of documents in one statement, with the precedence rules of
 * INDEX_DOCUMENTS_SQL: the highest change per key within the batch, written only over a lower
 * stored row. A delete of a record never indexed still leaves its tombstone, which holds back
 * the older update that may yet arrive. The text is dropped (a deleted customer's details
 * should not linger); the precedence stays. $1 jsonb array of document keys.
 */
export const REMOVE_DOCUMENTS_SQL = preparedSql(
  'search_remove_documents',
  `
WITH input AS (
  SELECT DISTINCT ON (d.type, d.source, d."sourceId") d.*
  FROM jsonb_to_recordset($1::jsonb) AS d (type text, source text, "sourceId" text, version bigint, "arrivalSeq" bigint)
  ORDER BY d.type, d.source, d."sourceId", d.version DESC, d."arrivalSeq" DESC
)
INSERT INTO search_documents AS s (type, source, source_id, title, body, tsv, deleted, version, arrival_seq, updated_at)
SELECT i.type, i.source, i."sourceId", '', '', ''::tsvector, true, i.version, i."arrivalSeq", clock_timestamp()
FROM input i
ORDER BY i.type, i.source, i."sourceId"
ON CONFLICT (type, source, source_id) DO UPDATE
SET title = '', body = '', tsv = ''::tsvector, deleted = true,
    version = excluded.version, arrival_seq = excluded.arrival_seq, updated_at = excluded.updated_at
WHERE (excluded.version, true, excluded.arrival_seq) > (s.version, s.deleted, s.arrival_seq)
RETURNING 1`,
);
