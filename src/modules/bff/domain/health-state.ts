import type { AlertRuleSettings, AlertSeverity } from '../../../shared/config/alerts.config.js';

export type HealthState = 'healthy' | 'degraded' | 'critical';

export interface HealthReason {
  code: string;
  message: string;
}

export interface HealthInputs {
  databaseUp: boolean;
  /** Severities of the alerts nobody has acknowledged yet. */
  activeAlertSeverities: readonly AlertSeverity[];
  openDeadLetters: number;
  oldestPendingAgeSeconds: number | null;
  /** 0..1 over the last 24 h; null without outcomes. */
  successRate24h: number | null;
}

/** Taken from the alert rules' settings, so the dashboard and the alerts agree on what is wrong. */
export interface HealthThresholds {
  /** sync_lag: oldest pending item older than this is a backlog (TDS_ALERT_SYNC_LAG_SECONDS). */
  maxPendingAgeSeconds: number;
  /** failure_rate: 1 - TDS_ALERT_FAILURE_RATE_PERCENT / 100. */
  minSuccessRate: number;
}

export interface Health {
  state: HealthState;
  reasons: HealthReason[];
}

/**
 * The home screen's one-word verdict and why.
 * - critical: the database is down, or an unacknowledged critical alert (workers stalled, …);
 * - degraded: an unacknowledged error or warning alert, any open dead letter, the oldest
 *   pending item older than the sync_lag threshold, or the 24 h success rate under the
 *   failure_rate threshold;
 * - healthy otherwise. Info alerts and acknowledged ones (an operator is on them) do not count.
 * Every reason found is listed, the critical ones first.
 */
export function assessHealth(inputs: HealthInputs, thresholds: HealthThresholds): Health {
  const critical: HealthReason[] = [];
  const degraded: HealthReason[] = [];
  const count = (severity: AlertSeverity) => inputs.activeAlertSeverities.filter((s) => s === severity).length;

  if (!inputs.databaseUp) critical.push({ code: 'DATABASE_DOWN', message: 'The database does not answer' });
  const criticalAlerts = count('critical');
  if (criticalAlerts > 0) critical.push({ code: 'CRITICAL_ALERTS', message: `${plural(criticalAlerts, 'critical alert')} active` });
  const otherAlerts = count('error') + count('warning');
  if (otherAlerts > 0) degraded.push({ code: 'ACTIVE_ALERTS', message: `${plural(otherAlerts, 'error or warning alert')} active` });
  if (inputs.openDeadLetters > 0) {
    degraded.push({ code: 'OPEN_DEAD_LETTERS', message: `${plural(inputs.openDeadLetters, 'dead letter')} waiting for an operator` });
  }
  const age = inputs.oldestPendingAgeSeconds;
  if (age !== null && age > thresholds.maxPendingAgeSeconds) {
    degraded.push({
      code: 'QUEUE_LAG',
      message: `The oldest pending item has waited ${Math.floor(age)} s (threshold ${thresholds.maxPendingAgeSeconds} s)`,
    });
  }
  const rate = inputs.successRate24h;
  if (rate !== null && rate < thresholds.minSuccessRate) {
    degraded.push({
      code: 'LOW_SUCCESS_RATE',
      message: `Success rate over 24 h is ${percent(rate)} (threshold ${percent(thresholds.minSuccessRate)})`,
    });
  }
  const state: HealthState = critical.length > 0 ? 'critical' : degraded.length > 0 ? 'degraded' : 'healthy';
  return { state, reasons: [...critical, ...degraded] };
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
const percent = (rate: number) => `${Math.floor(rate * 1000) / 10}%`;

/** The thresholds of the sync_lag and failure_rate rules, whether or not the rules are enabled. */
export function healthThresholds(rules: Pick<AlertRuleSettings, 'sync_lag' | 'failure_rate'>): HealthThresholds {
  return { maxPendingAgeSeconds: rules.sync_lag.seconds, minSuccessRate: 1 - rules.failure_rate.percent / 100 };
}
