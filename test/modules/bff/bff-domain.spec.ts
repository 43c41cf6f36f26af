import { formatDuration } from '../../../src/modules/bff/domain/duration.js';
import { entityState } from '../../../src/modules/bff/domain/entity-state.js';
import { assessHealth, healthThresholds } from '../../../src/modules/bff/domain/health-state.js';
import type { HealthInputs } from '../../../src/modules/bff/domain/health-state.js';
import { progressPercent, runProgressPercent, runSuccessRate } from '../../../src/modules/bff/domain/run-progress.js';
import { timelineTitle } from '../../../src/modules/bff/domain/timeline-title.js';
import { defaultStep } from '../../../src/modules/bff/queries/get-throughput/get-throughput.dto.js';
import { loadAlertsConfig } from '../../../src/shared/config/alerts.config.js';

const thresholds = healthThresholds(loadAlertsConfig({}).rules);
const calm: HealthInputs = { databaseUp: true, activeAlertSeverities: [], openDeadLetters: 0, oldestPendingAgeSeconds: null, successRate24h: null };

describe('BFF domain', () => {
  it('takes its thresholds from the sync_lag and failure_rate rules', () => {
    expect(thresholds).toEqual({ maxPendingAgeSeconds: 300, minSuccessRate: 0.9 });
    expect(healthThresholds(loadAlertsConfig({ TDS_ALERT_SYNC_LAG_SECONDS: '60', TDS_ALERT_FAILURE_RATE_PERCENT: '25' }).rules)).toEqual({
      maxPendingAgeSeconds: 60,
      minSuccessRate: 0.75,
    });
  });

  it('health: healthy with nothing wrong; info and acknowledged alerts do not count', () => {
    expect(assessHealth(calm, thresholds)).toEqual({ state: 'healthy', reasons: [] });
    expect(assessHealth({ ...calm, activeAlertSeverities: ['info'], oldestPendingAgeSeconds: 300, successRate24h: 0.9 }, thresholds)).toEqual({
      state: 'healthy',
      reasons: [],
    });
  });

  it('health: each degraded condition on its own, with its reason', () => {
    const cases: [Partial<HealthInputs>, string, string][] = [
      [{ activeAlertSeverities: ['warning', 'error'] }, 'ACTIVE_ALERTS', '2 error or warning alerts active'],
      [{ openDeadLetters: 1 }, 'OPEN_DEAD_LETTERS', '1 dead letter waiting for an operator'],
      [{ oldestPendingAgeSeconds: 300.5 }, 'QUEUE_LAG', 'The oldest pending item has waited 300 s (threshold 300 s)'],
      [{ successRate24h: 0.899 }, 'LOW_SUCCESS_RATE', 'Success rate over 24 h is 89.9% (threshold 90%)'],
    ];
    for (const [change, code, message] of cases) {
      expect(assessHealth({ ...calm, ...change }, thresholds)).toEqual({ state: 'degraded', reasons: [{ code, message }] });
    }
  });

  it('health: critical for the database down or an active critical alert, critical reasons first', () => {
    expect(assessHealth({ ...calm, databaseUp: false }, thresholds)).toEqual({
      state: 'critical',
      reasons: [{ code: 'DATABASE_DOWN', message: 'The database does not answer' }],
    });
    expect(assessHealth({ ...calm, openDeadLetters: 3, activeAlertSeverities: ['error', 'critical'] }, thresholds)).toEqual({
      state: 'critical',
      reasons: [
        { code: 'CRITICAL_ALERTS', message: '1 critical alert active' },
        { code: 'ACTIVE_ALERTS', message: '1 error or warning alert active' },
        { code: 'OPEN_DEAD_LETTERS', message: '3 dead letters waiting for an operator' },
      ],
    });
  });

  it('entity state: error beats delayed beats on time', () => {
    expect(entityState({ openDeadLetters: 0, lagSeconds: null, successRate24h: null }, thresholds)).toBe('on_time');
    expect(entityState({ openDeadLetters: 0, lagSeconds: 300, successRate24h: 0.9 }, thresholds)).toBe('on_time');
    expect(entityState({ openDeadLetters: 0, lagSeconds: 301, successRate24h: 1 }, thresholds)).toBe('delayed');
    expect(entityState({ openDeadLetters: 0, lagSeconds: 301, successRate24h: 0.5 }, thresholds)).toBe('error');
    expect(entityState({ openDeadLetters: 2, lagSeconds: null, successRate24h: 1 }, thresholds)).toBe('error');
  });

  it('durations read as two units at most, truncated', () => {
    expect([null, 0, 350, 999, 1000, 45_999, 60_000, 135_000, 3_599_999, 3_780_000, 7_200_000, 90_000_000].map(formatDuration)).toEqual([
      null, '0ms', '350ms', '999ms', '1s', '45s', '1m', '2m 15s', '59m 59s', '1h 3m', '2h', '1d 1h',
    ]);
  });

  it('progress rounds down to one decimal; success rate ignores skipped items', () => {
    expect([progressPercent(0, 200), progressPercent(199, 200), progressPercent(1, 3), progressPercent(29, 100), progressPercent(0, 0)]).toEqual([
      0, 99.5, 33.3, 29, 100,
    ]);
    expect([runSuccessRate(0, 0), runSuccessRate(3, 1), runSuccessRate(0, 2)]).toEqual([null, 0.75, 0]);
    // A pull run still fetching: its applied items (all of them so far) do not make it 100% done.
    expect([runProgressPercent(400, 400, 12.34), runProgressPercent(100, 400, 60), runProgressPercent(400, 400, undefined)]).toEqual([12.3, 25, 100]);
  });

  it('timeline titles', () => {
    const event = { version: null, errorCode: null, refs: {} };
    expect(timelineTitle({ ...event, kind: 'applied', version: 3 })).toBe('Applied version 3');
    expect(timelineTitle({ ...event, kind: 'attempt_failed', errorCode: 'UPSTREAM.TIMEOUT', refs: { attempt: 2 } })).toBe('Attempt 2 failed: UPSTREAM.TIMEOUT');
    expect(timelineTitle({ ...event, kind: 'superseded', version: 2 })).toBe('Version 2 superseded');
    expect(timelineTitle({ ...event, kind: 'dead_lettered', errorCode: 'VALIDATION_FAILED' })).toBe('Dead-lettered: VALIDATION_FAILED');
    expect(timelineTitle({ ...event, kind: 'reaction_receipt', refs: { reaction: 'inventory.catalogue' } })).toBe('Handled by inventory.catalogue');
  });

  it('throughput: the default step is by the minute, or the finest that fits 1440 points', () => {
    expect((['5m', '1h', '24h', '7d'] as const).map(defaultStep)).toEqual(['1m', '1m', '1m', '15m']);
  });
});
