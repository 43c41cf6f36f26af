import { ALERT_VIEW_COLUMNS } from '../../alerts/alert-view.js';

/**
 * Acknowledges an active alert and writes the acknowledged event with it, waking the relay at
 * commit. Only `status = 'active'` matches: a second acknowledgement (or one racing it, which
 * re-checks the row once the first commits) changes nothing and writes no second event.
 * $1 alert id, $2 who.
 */
export const ACKNOWLEDGE_ALERT_SQL = `
WITH acknowledged AS (
  UPDATE tds_alerts
  SET status = 'acknowledged', acknowledged_at = clock_timestamp(), acknowledged_by = $2, updated_at = clock_timestamp()
  WHERE id = $1 AND status = 'active'
  RETURNING *
), event AS (
  INSERT INTO tds_outbox (event_type, correlation_id, causation_id, payload)
  SELECT 'tds.alert.acknowledged', 'alert:' || a.id, 'alert:' || a.id,
         jsonb_build_object('alertId', a.id, 'acknowledgedBy', $2::text)
  FROM acknowledged a
)
SELECT ${ALERT_VIEW_COLUMNS}, pg_notify('tds_outbox', '') FROM acknowledged a`;

/** $1 alert id. */
export const GET_ALERT_SQL = `SELECT ${ALERT_VIEW_COLUMNS} FROM tds_alerts a WHERE a.id = $1`;
