import { preparedSql } from '../../../../shared/database/sql.js';

/**
 * Text to tsvector, in one place for every writer. Weight A: the title and the keywords, read
 * twice: as typed with the `simple` configuration, so a code like `LAP-WHT-15` keeps its
 * hyphenated token and its parts in order (a phrase query of the same code finds it), and
 * with ASCII punctuation turned to spaces under `english`, because the default parser reads
 * `Laptop-white/15inch/dell` as `laptop-white` plus the file path `/15inch/dell`, which hides
 * `dell`. Weight B: the body as typed, stemmed, and split alike only its words that hold
 * punctuation (`punctuated`, picked out by the handler): the rest of the body split reads
 * the same as typed, and reading a long description twice was the costliest part of indexing.
 * `i` is the input row.
 */
const SEARCH_VECTOR_SQL = `
  setweight(
    to_tsvector('simple', i.title || ' ' || i.keywords)
    || to_tsvector('english', regexp_replace(i.title || ' ' || i.keywords, '[[:punct:]]+', ' ', 'g')),
    'A')
  || setweight(
    to_tsvector('english', i.body)
    || to_tsvector('english', regexp_replace(i.punctuated, '[[:punct:]]+', ' ', 'g')),
    'B')`;

/**
 * Upserts a batch of documents in one statement. Precedence is the mirror's: (version, delete
 * beats update, arrival sequence). Within the batch only the highest change per key goes on,
 * so ON CONFLICT never meets one row twice; against the stored row (live or tombstone) it
 * writes only when it is higher, so an old change arriving late, or after the delete, changes
 * nothing. With $2 it also rewrites a row of exactly its precedence: the same source version,
 * so nothing goes back, but its text is rebuilt by the current mapping (reindexing).
 * Rows are written in key order: two batches with common keys take their row locks in the
 * same order. $1 jsonb array of documents, $2 rewrite at equal precedence.
 */
export const INDEX_DOCUMENTS_SQL = preparedSql(
  'search_index_documents',
  `
WITH input AS (
  SELECT DISTINCT ON (d.type, d.source, d."sourceId") d.*
  FROM jsonb_to_recordset($1::jsonb) AS d (type text, source text, "sourceId" text, version bigint, "arrivalSeq" bigint,
                                          title text, keywords text, body text, punctuated text)
  ORDER BY d.type, d.source, d."sourceId", d.version DESC, d."arrivalSeq" DESC
)
INSERT INTO search_documents AS s (type, source, source_id, title, body, tsv, deleted, version, arrival_seq, updated_at)
SELECT i.type, i.source, i."sourceId", i.title, i.body, ${SEARCH_VECTOR_SQL}, false, i.version, i."arrivalSeq", clock_timestamp()
FROM input i
ORDER BY i.type, i.source, i."sourceId"
ON CONFLICT (type, source, source_id) DO UPDATE
SET title = excluded.title, body = excluded.body, tsv = excluded.tsv, deleted = false,
    version = excluded.version, arrival_seq = excluded.arrival_seq, updated_at = excluded.updated_at
WHERE (excluded.version, false, excluded.arrival_seq) > (s.version, s.deleted, s.arrival_seq)
   OR ($2::boolean AND (excluded.version, false, excluded.arrival_seq) = (s.version, s.deleted, s.arrival_seq))
RETURNING 1`,
);
