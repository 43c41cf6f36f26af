import { Query } from '@nestjs/cqrs';
import type { AlertSeverity } from '../../../../shared/config/alerts.config.js';
import type { AlertStatus, AlertView } from '../../alerts/alert-view.js';

export interface ListAlertsParams {
  /** `open`: active or acknowledged. */
  status?: AlertStatus | 'open';
  severity?: AlertSeverity;
  rule?: string;
  entityType?: string;
  /** 1..500. */
  limit: number;
  /** `nextCursor` of the previous page. */
  cursor?: string | null;
}

export interface AlertPage {
  items: AlertView[];
  /** Null after the last page. */
  nextCursor: string | null;
}

/** Alerts, newest first, a keyset page at a time. */
export class ListAlertsQuery extends Query<AlertPage> {
  constructor(readonly params: ListAlertsParams) {
    super();
  }
}
