/**
 * The user's text read as web-search syntax (quoted phrases, OR, -exclusion) twice, stemmed
 * (`english`: "laptops" finds "laptop") and as typed (`simple`: codes, names, stop words),
 * either matching. websearch_to_tsquery never fails on its input, so any text is a query.
 * Written out where used rather than computed once in a CTE: as an expression of the
 * parameter the planner can take it to the GIN index.
 */
const TS_QUERY_SQL = `(websearch_to_tsquery('english', $1::text) || websearch_to_tsquery('simple', $1::text))`;

/**
 * Live documents matching the query, best first, optionally of one type. The partial GIN
 * index (NOT deleted) finds the candidates; only the page is ranked into order and only its
 * rows get a snippet, the costly part: the body excerpt around the matched words (the body's
 * start when only the title matched), plain text without markup, since bodies are not HTML-safe.
 * $1 query text, $2 type or null, $3 limit.
 */
export const SEARCH_DOCUMENTS_SQL = `
WITH hits AS (
  SELECT d.type, d.source, d.source_id, d.title, d.body, ts_rank(d.tsv, ${TS_QUERY_SQL}) AS rank
  FROM search_documents d
  WHERE d.tsv @@ ${TS_QUERY_SQL}
    AND NOT d.deleted
    AND ($2::text IS NULL OR d.type = $2::text)
  ORDER BY rank DESC, d.type, d.source, d.source_id
  LIMIT $3
)
SELECT h.type, h.source, h.source_id AS "sourceId", h.title, h.rank::float8 AS rank,
       ts_headline('english', h.body, ${TS_QUERY_SQL},
                   'StartSel="", StopSel="", MaxFragments=2, MaxWords=30, MinWords=10, FragmentDelimiter=" … "') AS snippet
FROM hits h
ORDER BY h.rank DESC, h.type, h.source, h.source_id`;
