import type { QueryRunner } from 'typeorm';
import type { AlertRuleName, AlertRuleSettings, AlertSeverity } from '../../../../shared/config/alerts.config.js';
import { queryRows } from '../../../../shared/database/sql.js';
import {
  DEAD_LETTER_GROWTH_SQL,
  FAILING_REACTIONS_SQL,
  FAILURE_RATE_SQL,
  LONG_TRANSACTION_SQL,
  NO_SUCCESSFUL_SYNC_SQL,
  OUTBOX_LAG_SQL,
  QUEUE_BACKLOG_SQL,
  SOURCE_AUTH_FAILED_SQL,
  SOURCE_BUDGET_SQL,
  SOURCE_CIRCUIT_OPEN_SQL,
  SYNC_LAG_SQL,
  SYNC_RUN_UNSUCCESSFUL_SQL,
  WORKERS_STALLED_SQL,
} from './evaluate-alerts.sql.js';

/** A condition that holds now: the alert it opens or keeps up to date, one per fingerprint. */
export interface AlertCondition {
  rule: AlertRuleName;
  /** `rule`, `rule:entityType` for the rules that watch each entity type, or `rule:subject` for those that watch each thing. */
  fingerprint: string;
  severity: AlertSeverity;
  title: string;
  message: string;
  entityType: string | null;
  actual: Record<string, unknown>;
  threshold: Record<string, unknown>;
  /** How many things the condition affects (items, events, failures), as the triggered event reports it. */
  affectedCount: number;
}

type Finding = Omit<AlertCondition, 'rule' | 'fingerprint' | 'entityType'>;
type Detect<S> = (tx: QueryRunner, settings: S) => Promise<AlertCondition[]>;

/**
 * A rule: its statement (one row per condition that holds) and how a row reads as an alert. A
 * row's `subject`, when it has one, names its alert instead of its entity type (a run's alert).
 */
function rule<S extends { severity: AlertSeverity }, R extends { entityType: string | null; subject?: string }>(
  name: AlertRuleName,
  sql: string,
  params: (settings: S) => unknown[],
  describe: (row: R, settings: S) => Finding,
): Detect<S> {
  return async (tx, settings) => {
    const rows = await queryRows<R>(tx, sql, params(settings));
    return rows.map((row) => {
      const subject = row.subject ?? row.entityType;
      return { rule: name, fingerprint: subject === null ? name : `${name}:${subject}`, entityType: row.entityType, ...describe(row, settings) };
    });
  };
}

type Row<T> = T & { entityType: string | null };

/** A run that ended partial or failed; `subject` names its alert. */
interface UnsuccessfulRun {
  subject: string;
  syncRunId: number;
  kind: string;
  source: string;
  status: 'partial' | 'failed';
  total: number;
  succeeded: number;
  failed: number;
  skipped: number;
}

/** A source account's row (tds_source_accounts); `subject` is `source:account`. */
interface SourceAccountRow {
  subject: string;
  source: string;
  account: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Every rule, by name: the typing pairs each with its own settings. */
export const ALERT_RULE_DETECTORS: { [N in AlertRuleName]: Detect<AlertRuleSettings[N]> } = {
  queue_backlog: rule<AlertRuleSettings['queue_backlog'], Row<{ items: number; pending: number; retry: number }>>(
    'queue_backlog',
    QUEUE_BACKLOG_SQL,
    (s) => [s.threshold],
    (row, s) => ({
      severity: s.severity,
      title: 'Queue backlog',
      message: `${plural(row.items, 'item')} waiting in the sync queue (${row.pending} pending, ${row.retry} to retry); threshold ${s.threshold}`,
      actual: { items: row.items, pending: row.pending, retry: row.retry },
      threshold: { items: s.threshold },
      affectedCount: row.items,
    }),
  ),
  sync_lag: rule<AlertRuleSettings['sync_lag'], Row<{ oldestDueSeconds: number; lateItems: number }>>(
    'sync_lag',
    SYNC_LAG_SQL,
    (s) => [s.seconds],
    (row, s) => ({
      severity: s.severity,
      title: 'Sync lag',
      message: `The oldest due item has waited ${row.oldestDueSeconds} s; ${plural(row.lateItems, 'item')} waited ${s.seconds} s or more`,
      actual: { oldestDueSeconds: row.oldestDueSeconds, lateItems: row.lateItems },
      threshold: { seconds: s.seconds },
      affectedCount: row.lateItems,
    }),
  ),
  failure_rate: rule<AlertRuleSettings['failure_rate'], Row<{ failed: number; volume: number }>>(
    'failure_rate',
    FAILURE_RATE_SQL,
    (s) => [s.windowMinutes, s.minVolume, s.percent],
    (row, s) => {
      const percent = Math.round((1000 * row.failed) / row.volume) / 10;
      return {
        severity: s.severity,
        title: `High failure rate: ${row.entityType}`,
        message: `${percent}% of ${row.entityType} attempts failed in the last ${s.windowMinutes} min (${row.failed} of ${row.volume}); threshold ${s.percent}%`,
        actual: { failureRatePercent: percent, failed: row.failed, volume: row.volume },
        threshold: { percent: s.percent, windowMinutes: s.windowMinutes, minVolume: s.minVolume },
        affectedCount: row.failed,
      };
    },
  ),
  dead_letter_growth: rule<AlertRuleSettings['dead_letter_growth'], Row<{ created: number }>>(
    'dead_letter_growth',
    DEAD_LETTER_GROWTH_SQL,
    (s) => [s.windowMinutes, s.threshold],
    (row, s) => ({
      severity: s.severity,
      title: 'Dead letters growing',
      message: `${plural(row.created, 'dead letter')} in the last ${s.windowMinutes} min still open; threshold ${s.threshold}`,
      actual: { created: row.created },
      threshold: { created: s.threshold, windowMinutes: s.windowMinutes },
      affectedCount: row.created,
    }),
  ),
  no_successful_sync: rule<AlertRuleSettings['no_successful_sync'], Row<{ lastSuccessAt: Date | string | null; received: number }>>(
    'no_successful_sync',
    NO_SUCCESSFUL_SYNC_SQL,
    (s) => [s.minutes, s.lookbackHours],
    (row, s) => {
      const lastSuccessAt = row.lastSuccessAt === null ? null : new Date(row.lastSuccessAt).toISOString();
      return {
        severity: s.severity,
        title: `No successful sync: ${row.entityType}`,
        message:
          `No ${row.entityType} synced successfully in the last ${s.minutes} min ` +
          `(last success ${lastSuccessAt ?? `over ${s.lookbackHours} h ago`}); ${plural(row.received, 'delivery', 'deliveries')} received meanwhile`,
        actual: { lastSuccessAt, received: row.received },
        threshold: { minutes: s.minutes },
        affectedCount: row.received,
      };
    },
  ),
  workers_stalled: rule<AlertRuleSettings['workers_stalled'], Row<{ oldestDueSeconds: number; lateItems: number }>>(
    'workers_stalled',
    WORKERS_STALLED_SQL,
    (s) => [s.seconds],
    (row, s) => ({
      severity: s.severity,
      title: 'Workers stalled',
      message: `${plural(row.lateItems, 'item')} due for ${s.seconds} s or more (oldest ${row.oldestDueSeconds} s) and no batch claimed or finished in that time`,
      actual: { oldestDueSeconds: row.oldestDueSeconds, lateItems: row.lateItems },
      threshold: { seconds: s.seconds },
      affectedCount: row.lateItems,
    }),
  ),
  long_transaction: rule<AlertRuleSettings['long_transaction'], Row<{ transactions: number; oldestSeconds: number; pids: number[] }>>(
    'long_transaction',
    LONG_TRANSACTION_SQL,
    (s) => [s.seconds],
    (row, s) => ({
      severity: s.severity,
      title: 'Long-running transaction',
      message:
        `${plural(row.transactions, 'transaction')} open for ${s.seconds} s or more (oldest ${row.oldestSeconds} s, pid ${row.pids[0]}) ` +
        'hold back vacuum of the queue',
      actual: { transactions: row.transactions, oldestSeconds: row.oldestSeconds, pids: row.pids },
      threshold: { seconds: s.seconds },
      affectedCount: row.transactions,
    }),
  ),
  outbox_lag: rule<AlertRuleSettings['outbox_lag'], Row<{ oldestSeconds: number; undispatched: number }>>(
    'outbox_lag',
    OUTBOX_LAG_SQL,
    (s) => [s.seconds],
    (row, s) => ({
      severity: s.severity,
      title: 'Outbox lag',
      message: `The oldest undispatched event is ${row.oldestSeconds} s old; ${plural(row.undispatched, 'event')} waiting for the relay`,
      actual: { oldestSeconds: row.oldestSeconds, undispatched: row.undispatched },
      threshold: { seconds: s.seconds },
      affectedCount: row.undispatched,
    }),
  ),
  failing_reactions: rule<AlertRuleSettings['failing_reactions'], Row<{ open: number; exhausted: number; reactions: string[] }>>(
    'failing_reactions',
    FAILING_REACTIONS_SQL,
    (s) => [s.threshold],
    (row, s) => ({
      severity: row.exhausted > 0 ? s.exhaustedSeverity : s.severity,
      title: 'Failing reactions',
      message:
        `${plural(row.open, 'reaction failure')} open (${row.exhausted} out of attempts, waiting for someone) ` +
        `in ${row.reactions.join(', ')}`,
      actual: { open: row.open, exhausted: row.exhausted, reactions: row.reactions },
      threshold: { open: s.threshold },
      affectedCount: row.open,
    }),
  ),
  sync_run_unsuccessful: rule<AlertRuleSettings['sync_run_unsuccessful'], Row<UnsuccessfulRun>>(
    'sync_run_unsuccessful',
    SYNC_RUN_UNSUCCESSFUL_SQL,
    (s) => [s.windowMinutes],
    (row, s) => ({
      severity: row.status === 'failed' ? s.failedSeverity : s.severity,
      title: `Sync run ${row.syncRunId} ${row.status}`,
      message:
        `Sync run ${row.syncRunId} (${row.kind}, ${row.source}${row.entityType === null ? '' : `, ${row.entityType}`}) ended ${row.status}: ` +
        `${row.failed} of ${row.total} items failed, ${row.succeeded} succeeded, ${row.skipped} skipped`,
      actual: {
        syncRunId: row.syncRunId,
        kind: row.kind,
        status: row.status,
        total: row.total,
        succeeded: row.succeeded,
        failed: row.failed,
        skipped: row.skipped,
      },
      threshold: { windowMinutes: s.windowMinutes },
      affectedCount: row.failed,
    }),
  ),
  source_circuit_open: rule<
    AlertRuleSettings['source_circuit_open'],
    Row<SourceAccountRow & { state: 'open' | 'half_open'; changedAt: Date | string; lastError: string | null }>
  >(
    'source_circuit_open',
    SOURCE_CIRCUIT_OPEN_SQL,
    () => [],
    (row, s) => ({
      severity: s.severity,
      title: `Source unavailable: ${row.subject}`,
      message:
        `Calls to ${row.source} account "${row.account}" fail fast: its circuit breaker is ${row.state === 'open' ? 'open' : 'half-open, waiting for a trial call'} ` +
        `after repeated failures${row.lastError ? ` (last: ${row.lastError})` : ''}`,
      actual: { source: row.source, account: row.account, state: row.state, changedAt: new Date(row.changedAt).toISOString(), lastError: row.lastError },
      threshold: { state: 'closed' },
      affectedCount: 1,
    }),
  ),
  source_auth_failed: rule<AlertRuleSettings['source_auth_failed'], Row<SourceAccountRow & { authError: string | null }>>(
    'source_auth_failed',
    SOURCE_AUTH_FAILED_SQL,
    () => [],
    (row, s) => ({
      severity: s.severity,
      title: `Source credentials refused: ${row.subject}`,
      message: `${row.source} account "${row.account}" cannot authenticate${row.authError ? `: ${row.authError}` : ''}; nothing is pulled until its credentials are renewed`,
      actual: { source: row.source, account: row.account, authError: row.authError },
      threshold: { authState: 'ok' },
      affectedCount: 1,
    }),
  ),
  source_budget: rule<AlertRuleSettings['source_budget'], Row<{ subject: string; dayRequests: number; dayBudget: number }>>(
    'source_budget',
    SOURCE_BUDGET_SQL,
    (s) => [s.percent],
    (row, s) => {
      const percent = Math.floor((100 * row.dayRequests) / row.dayBudget);
      return {
        severity: s.severity,
        title: `Daily request budget: ${row.subject}`,
        message: `${row.subject} has used ${row.dayRequests} of its ${row.dayBudget} requests today (${percent}%, UTC day); warning at ${s.percent}%`,
        actual: { dayRequests: row.dayRequests, dayBudget: row.dayBudget, percent },
        threshold: { percent: s.percent },
        affectedCount: row.dayRequests,
      };
    },
  ),
};
