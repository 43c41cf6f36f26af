import { ALERT_VIEW_COLUMNS } from '../../alerts/alert-view.js';

/**
 * One page, newest first: tds_alerts_triggered_idx (triggered_at DESC, id DESC) read from the
 * cursor on, so a deep page costs what the first does. The filters are applied along the
 * walk: the table holds a retention's worth of alerts, not millions. `cursorAt` is the
 * timestamp as ISO-8601 text with its microseconds (a JS Date would round it to milliseconds
 * and skip or repeat rows at the page edge), in UTC whatever the session's settings.
 * $1 status | 'open' | null, $2 severity, $3 rule, $4 entity type, $5/$6 the cursor's (triggered_at, id) or nulls, $7 limit.
 */
export const LIST_ALERTS_SQL = `
SELECT ${ALERT_VIEW_COLUMNS}, to_char(a.triggered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "cursorAt"
FROM tds_alerts a
WHERE ($1::text IS NULL OR a.status = $1 OR ($1 = 'open' AND a.status <> 'resolved'))
  AND ($2::text IS NULL OR a.severity = $2)
  AND ($3::text IS NULL OR a.rule = $3)
  AND ($4::text IS NULL OR a.entity_type = $4)
  AND ($5::timestamptz IS NULL OR (a.triggered_at, a.id) < ($5::timestamptz, $6::bigint))
ORDER BY a.triggered_at DESC, a.id DESC
LIMIT $7`;
