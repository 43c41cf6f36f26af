import { createHash } from 'node:crypto';
import { registerAs } from '@nestjs/config';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { validateConfig } from './validate-config.js';

export const ALERT_SEVERITIES = ['info', 'warning', 'error', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** The alert rules; their names are stored in `tds_alerts.rule` and name them in TDS_ALERT_DISABLED_RULES. */
export const ALERT_RULES = [
  'queue_backlog',
  'sync_lag',
  'failure_rate',
  'dead_letter_growth',
  'no_successful_sync',
  'workers_stalled',
  'long_transaction',
  'outbox_lag',
  'failing_reactions',
  'sync_run_unsuccessful',
  'source_circuit_open',
  'source_auth_failed',
  'source_budget',
] as const;
export type AlertRuleName = (typeof ALERT_RULES)[number];

class AlertsEnv {
  /** Seconds between evaluations, cluster-wide (the scheduler runs one per tick). */
  @Type(() => Number) @IsInt() @Min(1) @Max(30) TDS_ALERT_EVALUATE_INTERVAL_S: number = 15;
  /** An unacknowledged alert still open this long after its last notification notifies again (0: never). */
  @Type(() => Number) @IsInt() @Min(0) TDS_ALERT_RENOTIFY_SECONDS: number = 3600;
  /**
   * A condition that comes back this soon after its alert resolved reopens that alert, quietly,
   * instead of opening and notifying a new one: a figure hovering at its threshold is one
   * alert, not a page every evaluation (0: every return is a new alert).
   */
  @Type(() => Number) @IsInt() @Min(0) TDS_ALERT_REOPEN_WITHIN_SECONDS: number = 600;
  /** Comma-separated rule names that are not evaluated (their open alerts stay as they are). */
  @IsOptional() @IsString() TDS_ALERT_DISABLED_RULES?: string;

  /** Pending + retry items. */
  @Type(() => Number) @IsInt() @Min(1) TDS_ALERT_BACKLOG_THRESHOLD: number = 10000;
  @IsIn(ALERT_SEVERITIES) TDS_ALERT_BACKLOG_SEVERITY: AlertSeverity = 'warning';

  /** How long the oldest due item has been waiting. */
  @Type(() => Number) @IsInt() @Min(1) TDS_ALERT_SYNC_LAG_SECONDS: number = 300;
  @IsIn(ALERT_SEVERITIES) TDS_ALERT_SYNC_LAG_SEVERITY: AlertSeverity = 'warning';

  @Type(() => Number) @IsInt() @Min(1) @Max(100) TDS_ALERT_FAILURE_RATE_PERCENT: number = 10;
  @Type(() => Number) @IsInt() @Min(1) @Max(1440) TDS_ALERT_FAILURE_RATE_WINDOW_MINUTES: number = 15;
  /** Outcomes in the window below which an entity type's rate says nothing. */
  @Type(() => Number) @IsInt() @Min(1) TDS_ALERT_FAILURE_RATE_MIN_VOLUME: number = 50;
  @IsIn(ALERT_SEVERITIES) TDS_ALERT_FAILURE_RATE_SEVERITY: AlertSeverity = 'error';

  /** Open dead letters created within the window. */
  @Type(() => Number) @IsInt() @Min(1) TDS_ALERT_DEAD_LETTER_THRESHOLD: number = 10;
  @Type(() => Number) @IsInt() @Min(1) @Max(10080) TDS_ALERT_DEAD_LETTER_WINDOW_MINUTES: number = 60;
  @IsIn(ALERT_SEVERITIES) TDS_ALERT_DEAD_LETTER_SEVERITY: AlertSeverity = 'error';

  /** An entity type that synced successfully within the lookback but not in this many minutes. */
  @Type(() => Number) @IsInt() @Min(1) TDS_ALERT_NO_SUCCESS_MINUTES: number = 60;
  @Type(() => Number) @IsInt() @Min(1) @Max(720) TDS_ALERT_NO_SUCCESS_LOOKBACK_HOURS: number = 24;
  @IsIn(ALERT_SEVERITIES) TDS_ALERT_NO_SUCCESS_SEVERITY: AlertSeverity = 'warning';

  /** Work due this long with no batch claimed or finished meanwhile. */
  @Type(() => Number) @IsInt() @Min(1) TDS_ALERT_STALLED_SECONDS: number = 120;
  @IsIn(ALERT_SEVERITIES) TDS_ALERT_STALLED_SEVERITY: AlertSeverity = 'critical';

  /** A transaction of this database open this long holds back vacuum of the queue. */
  @Type(() => Number) @IsInt() @Min(1) TDS_ALERT_LONG_TRANSACTION_SECONDS: number = 300;
  @IsIn(ALERT_SEVERITIES) TDS_ALERT_LONG_TRANSACTION_SEVERITY: AlertSeverity = 'warning';

  /** The oldest undispatched outbox event. */
  @Type(() => Number) @IsInt() @Min(1) TDS_ALERT_OUTBOX_LAG_SECONDS: number = 120;
  @IsIn(ALERT_SEVERITIES) TDS_ALERT_OUTBOX_LAG_SEVERITY: AlertSeverity = 'error';

  /** Open reaction failures (retrying or exhausted); any exhausted one raises the alert at the exhausted severity. */
  @Type(() => Number) @IsInt() @Min(1) TDS_ALERT_REACTION_FAILURES_THRESHOLD: number = 1;
  @IsIn(ALERT_SEVERITIES) TDS_ALERT_REACTION_FAILURES_SEVERITY: AlertSeverity = 'warning';
  @IsIn(ALERT_SEVERITIES) TDS_ALERT_REACTION_EXHAUSTED_SEVERITY: AlertSeverity = 'error';

  /** A run that ended partial (some items failed) or failed (all did) within the window: one alert per run. */
  @Type(() => Number) @IsInt() @Min(1) @Max(10080) TDS_ALERT_RUN_UNSUCCESSFUL_WINDOW_MINUTES: number = 60;
  @IsIn(ALERT_SEVERITIES) TDS_ALERT_RUN_PARTIAL_SEVERITY: AlertSeverity = 'warning';
  @IsIn(ALERT_SEVERITIES) TDS_ALERT_RUN_FAILED_SEVERITY: AlertSeverity = 'error';

  /** A source account's circuit breaker is open or half-open (not yet proven recovered): pulls fail fast. */
  @IsIn(ALERT_SEVERITIES) TDS_ALERT_SOURCE_CIRCUIT_SEVERITY: AlertSeverity = 'error';
  /** A source account's credentials were refused: nothing is pulled until someone renews them. */
  @IsIn(ALERT_SEVERITIES) TDS_ALERT_SOURCE_AUTH_SEVERITY: AlertSeverity = 'critical';
  /** A source organisation has used this share of its daily request budget (UTC day). */
  @Type(() => Number) @IsInt() @Min(1) @Max(100) TDS_ALERT_SOURCE_BUDGET_PERCENT: number = 80;
  @IsIn(ALERT_SEVERITIES) TDS_ALERT_SOURCE_BUDGET_SEVERITY: AlertSeverity = 'warning';

  /** Comma-separated http(s) URLs, each sent every alert event, signed with the secret. */
  @IsOptional() @IsString() TDS_ALERT_WEBHOOK_URLS?: string;
  @IsOptional() @IsString() TDS_ALERT_WEBHOOK_SECRET?: string;
  @Type(() => Number) @IsInt() @Min(100) @Max(60000) TDS_ALERT_WEBHOOK_TIMEOUT_MS: number = 5000;
}

/** One alert webhook receiver. The URL may carry a token: only `name` (from its hash) is ever logged or stored. */
export interface AlertWebhookReceiver {
  /** The durable reaction's name: receipts and failures are kept per receiver. */
  name: string;
  url: string;
}

function invalid(lines: string[]): Error {
  return new Error(`Invalid configuration:\n  ${lines.join('\n  ')}`);
}

const commaList = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');

function receivers(urls: string[]): AlertWebhookReceiver[] {
  return urls.map((url, index) => {
    let protocol: string;
    try {
      protocol = new URL(url).protocol;
    } catch {
      throw invalid([`TDS_ALERT_WEBHOOK_URLS: entry ${index + 1} is not a URL`]);
    }
    if (protocol !== 'http:' && protocol !== 'https:') throw invalid([`TDS_ALERT_WEBHOOK_URLS: entry ${index + 1} must be http or https`]);
    // Renaming a receiver makes its past events look undelivered: the name follows the URL, which is what identifies it.
    return { name: `alerts.webhook.${createHash('sha256').update(url).digest('hex').slice(0, 12)}`, url };
  });
}

export function loadAlertsConfig(source: NodeJS.ProcessEnv = process.env) {
  const env = validateConfig(AlertsEnv, source);
  const disabled = commaList(env.TDS_ALERT_DISABLED_RULES);
  const unknown = disabled.filter((rule) => !(ALERT_RULES as readonly string[]).includes(rule));
  if (unknown.length > 0) throw invalid([`TDS_ALERT_DISABLED_RULES: unknown rule(s) ${unknown.join(', ')}; rules are ${ALERT_RULES.join(', ')}`]);
  if (env.TDS_ALERT_NO_SUCCESS_LOOKBACK_HOURS * 60 <= env.TDS_ALERT_NO_SUCCESS_MINUTES) {
    throw invalid(['TDS_ALERT_NO_SUCCESS_LOOKBACK_HOURS: must be longer than TDS_ALERT_NO_SUCCESS_MINUTES']);
  }
  const webhookReceivers = receivers([...new Set(commaList(env.TDS_ALERT_WEBHOOK_URLS))]);
  const secret = env.TDS_ALERT_WEBHOOK_SECRET ?? '';
  if (webhookReceivers.length > 0 && secret.length < 16) {
    throw invalid(['TDS_ALERT_WEBHOOK_SECRET: required (at least 16 characters) when TDS_ALERT_WEBHOOK_URLS is set']);
  }
  const enabled = (rule: AlertRuleName) => !disabled.includes(rule);
  return {
    evaluateIntervalSeconds: env.TDS_ALERT_EVALUATE_INTERVAL_S,
    renotifySeconds: env.TDS_ALERT_RENOTIFY_SECONDS,
    reopenWithinSeconds: env.TDS_ALERT_REOPEN_WITHIN_SECONDS,
    rules: {
      queue_backlog: { enabled: enabled('queue_backlog'), severity: env.TDS_ALERT_BACKLOG_SEVERITY, threshold: env.TDS_ALERT_BACKLOG_THRESHOLD },
      sync_lag: { enabled: enabled('sync_lag'), severity: env.TDS_ALERT_SYNC_LAG_SEVERITY, seconds: env.TDS_ALERT_SYNC_LAG_SECONDS },
      failure_rate: {
        enabled: enabled('failure_rate'),
        severity: env.TDS_ALERT_FAILURE_RATE_SEVERITY,
        percent: env.TDS_ALERT_FAILURE_RATE_PERCENT,
        windowMinutes: env.TDS_ALERT_FAILURE_RATE_WINDOW_MINUTES,
        minVolume: env.TDS_ALERT_FAILURE_RATE_MIN_VOLUME,
      },
      dead_letter_growth: {
        enabled: enabled('dead_letter_growth'),
        severity: env.TDS_ALERT_DEAD_LETTER_SEVERITY,
        threshold: env.TDS_ALERT_DEAD_LETTER_THRESHOLD,
        windowMinutes: env.TDS_ALERT_DEAD_LETTER_WINDOW_MINUTES,
      },
      no_successful_sync: {
        enabled: enabled('no_successful_sync'),
        severity: env.TDS_ALERT_NO_SUCCESS_SEVERITY,
        minutes: env.TDS_ALERT_NO_SUCCESS_MINUTES,
        lookbackHours: env.TDS_ALERT_NO_SUCCESS_LOOKBACK_HOURS,
      },
      workers_stalled: { enabled: enabled('workers_stalled'), severity: env.TDS_ALERT_STALLED_SEVERITY, seconds: env.TDS_ALERT_STALLED_SECONDS },
      long_transaction: {
        enabled: enabled('long_transaction'),
        severity: env.TDS_ALERT_LONG_TRANSACTION_SEVERITY,
        seconds: env.TDS_ALERT_LONG_TRANSACTION_SECONDS,
      },
      outbox_lag: { enabled: enabled('outbox_lag'), severity: env.TDS_ALERT_OUTBOX_LAG_SEVERITY, seconds: env.TDS_ALERT_OUTBOX_LAG_SECONDS },
      failing_reactions: {
        enabled: enabled('failing_reactions'),
        severity: env.TDS_ALERT_REACTION_FAILURES_SEVERITY,
        exhaustedSeverity: env.TDS_ALERT_REACTION_EXHAUSTED_SEVERITY,
        threshold: env.TDS_ALERT_REACTION_FAILURES_THRESHOLD,
      },
      sync_run_unsuccessful: {
        enabled: enabled('sync_run_unsuccessful'),
        severity: env.TDS_ALERT_RUN_PARTIAL_SEVERITY,
        failedSeverity: env.TDS_ALERT_RUN_FAILED_SEVERITY,
        windowMinutes: env.TDS_ALERT_RUN_UNSUCCESSFUL_WINDOW_MINUTES,
      },
      source_circuit_open: { enabled: enabled('source_circuit_open'), severity: env.TDS_ALERT_SOURCE_CIRCUIT_SEVERITY },
      source_auth_failed: { enabled: enabled('source_auth_failed'), severity: env.TDS_ALERT_SOURCE_AUTH_SEVERITY },
      source_budget: { enabled: enabled('source_budget'), severity: env.TDS_ALERT_SOURCE_BUDGET_SEVERITY, percent: env.TDS_ALERT_SOURCE_BUDGET_PERCENT },
    },
    webhook: { receivers: webhookReceivers, secret, timeoutMs: env.TDS_ALERT_WEBHOOK_TIMEOUT_MS },
  };
}

export const alertsConfig = registerAs('alerts', () => loadAlertsConfig());
export type AlertsConfig = ReturnType<typeof loadAlertsConfig>;
export type AlertRuleSettings = AlertsConfig['rules'];
