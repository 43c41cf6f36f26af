import type { AlertSeverity } from '../../../shared/config/alerts.config.js';

export type AlertStatus = 'active' | 'acknowledged' | 'resolved';

/** An alert as the buses hand it out (the BFF shapes its own responses from it). */
export interface AlertView {
  id: number;
  rule: string;
  fingerprint: string;
  severity: AlertSeverity;
  title: string;
  message: string;
  entityType: string | null;
  /** What the rule measured at the last evaluation that found the condition. */
  actual: Record<string, unknown> | null;
  threshold: Record<string, unknown> | null;
  status: AlertStatus;
  triggeredAt: string;
  updatedAt: string;
  lastNotifiedAt: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
}

/** The columns of an AlertView, for the statements that read or return alerts (`a` is tds_alerts). */
export const ALERT_VIEW_COLUMNS = `a.id, a.rule, a.fingerprint, a.severity, a.title, a.message, a.entity_type AS "entityType",
  a.actual, a.threshold, a.status, a.triggered_at AS "triggeredAt", a.updated_at AS "updatedAt",
  a.last_notified_at AS "lastNotifiedAt", a.acknowledged_at AS "acknowledgedAt", a.acknowledged_by AS "acknowledgedBy",
  a.resolved_at AS "resolvedAt"`;

type Timestamp = Date | string;

/** An alert as read with ALERT_VIEW_COLUMNS: timestamps as the driver gives them. */
export type AlertRow = Omit<AlertView, 'triggeredAt' | 'updatedAt' | 'lastNotifiedAt' | 'acknowledgedAt' | 'resolvedAt'> & {
  triggeredAt: Timestamp;
  updatedAt: Timestamp;
  lastNotifiedAt: Timestamp | null;
  acknowledgedAt: Timestamp | null;
  resolvedAt: Timestamp | null;
};

const iso = (value: Timestamp) => new Date(value).toISOString();
const isoOrNull = (value: Timestamp | null) => (value === null ? null : iso(value));

/** Timestamps as ISO-8601 whichever driver read them; columns beside the view's (a cursor, a notify) are left out. */
export function toAlertView(row: AlertRow): AlertView {
  return {
    id: row.id,
    rule: row.rule,
    fingerprint: row.fingerprint,
    severity: row.severity,
    title: row.title,
    message: row.message,
    entityType: row.entityType,
    actual: row.actual,
    threshold: row.threshold,
    status: row.status,
    triggeredAt: iso(row.triggeredAt),
    updatedAt: iso(row.updatedAt),
    lastNotifiedAt: isoOrNull(row.lastNotifiedAt),
    acknowledgedAt: isoOrNull(row.acknowledgedAt),
    acknowledgedBy: row.acknowledgedBy,
    resolvedAt: isoOrNull(row.resolvedAt),
  };
}
