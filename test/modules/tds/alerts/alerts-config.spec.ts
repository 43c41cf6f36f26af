import 'reflect-metadata';
import { ALERT_RULES, loadAlertsConfig } from '../../../../src/shared/config/alerts.config.js';

function configError(env: Record<string, string>): string {
  try {
    loadAlertsConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('alerts configuration', () => {
  it('has defaults for every rule, all enabled, and no webhook', () => {
    const config = loadAlertsConfig({});
    expect(config).toMatchObject({
      evaluateIntervalSeconds: 15,
      renotifySeconds: 3600,
      rules: {
        queue_backlog: { enabled: true, severity: 'warning', threshold: 10000 },
        sync_lag: { enabled: true, severity: 'warning', seconds: 300 },
        failure_rate: { enabled: true, severity: 'error', percent: 10, windowMinutes: 15, minVolume: 50 },
        dead_letter_growth: { enabled: true, severity: 'error', threshold: 10, windowMinutes: 60 },
        no_successful_sync: { enabled: true, severity: 'warning', minutes: 60, lookbackHours: 24 },
        workers_stalled: { enabled: true, severity: 'critical', seconds: 120 },
        long_transaction: { enabled: true, severity: 'warning', seconds: 300 },
        outbox_lag: { enabled: true, severity: 'error', seconds: 120 },
        failing_reactions: { enabled: true, severity: 'warning', exhaustedSeverity: 'error', threshold: 1 },
      },
      webhook: { receivers: [], secret: '', timeoutMs: 5000 },
    });
    expect(Object.keys(config.rules).sort()).toEqual([...ALERT_RULES].sort());
  });

  it('takes thresholds, severities and disabled rules from the environment', () => {
    const config = loadAlertsConfig({
      TDS_ALERT_DISABLED_RULES: ' long_transaction , outbox_lag',
      TDS_ALERT_BACKLOG_THRESHOLD: '500',
      TDS_ALERT_BACKLOG_SEVERITY: 'critical',
      TDS_ALERT_RENOTIFY_SECONDS: '0',
    });
    expect(config.renotifySeconds).toBe(0);
    expect(config.rules.queue_backlog).toEqual({ enabled: true, severity: 'critical', threshold: 500 });
    expect(config.rules.long_transaction.enabled).toBe(false);
    expect(config.rules.outbox_lag.enabled).toBe(false);
    expect(config.rules.sync_lag.enabled).toBe(true);
  });

  it('names one reaction per receiver URL, by its hash', () => {
    const { receivers } = loadAlertsConfig({
      TDS_ALERT_WEBHOOK_URLS: 'https://hooks.example.com/a?token=t1, https://hooks.example.com/b',
      TDS_ALERT_WEBHOOK_SECRET: 'a-long-enough-secret',
    }).webhook;
    expect(receivers.map((r) => r.url)).toEqual(['https://hooks.example.com/a?token=t1', 'https://hooks.example.com/b']);
    expect(receivers[0].name).toMatch(/^alerts\.webhook\.[0-9a-f]{12}$/);
    expect(receivers[1].name).not.toBe(receivers[0].name);
    expect(receivers[0].name).toBe(loadAlertsConfig({ TDS_ALERT_WEBHOOK_URLS: 'https://hooks.example.com/a?token=t1', TDS_ALERT_WEBHOOK_SECRET: 'a-long-enough-secret' }).webhook.receivers[0].name);
  });

  it.each([
    [{ TDS_ALERT_EVALUATE_INTERVAL_S: '0' }, 'TDS_ALERT_EVALUATE_INTERVAL_S'],
    [{ TDS_ALERT_EVALUATE_INTERVAL_S: '31' }, 'TDS_ALERT_EVALUATE_INTERVAL_S'],
    [{ TDS_ALERT_SYNC_LAG_SEVERITY: 'loud' }, 'TDS_ALERT_SYNC_LAG_SEVERITY'],
    [{ TDS_ALERT_FAILURE_RATE_PERCENT: '101' }, 'TDS_ALERT_FAILURE_RATE_PERCENT'],
    [{ TDS_ALERT_DISABLED_RULES: 'queue_backlog,typo_rule' }, 'TDS_ALERT_DISABLED_RULES: unknown rule(s) typo_rule'],
    [{ TDS_ALERT_NO_SUCCESS_MINUTES: '120', TDS_ALERT_NO_SUCCESS_LOOKBACK_HOURS: '2' }, 'TDS_ALERT_NO_SUCCESS_LOOKBACK_HOURS'],
    [{ TDS_ALERT_WEBHOOK_URLS: 'https://hooks.example.com/x' }, 'TDS_ALERT_WEBHOOK_SECRET: required'],
    [{ TDS_ALERT_WEBHOOK_URLS: 'ftp://hooks.example.com/x', TDS_ALERT_WEBHOOK_SECRET: 'a-long-enough-secret' }, 'entry 1 must be http or https'],
    [{ TDS_ALERT_WEBHOOK_URLS: 'https://ok.example.com,not a url', TDS_ALERT_WEBHOOK_SECRET: 'a-long-enough-secret' }, 'entry 2 is not a URL'],
  ])('refuses %j, naming the variable', (env, expected) => {
    expect(configError(env)).toContain(expected);
  });

  it('never repeats a URL or the secret in its errors', () => {
    // The token sits in the entry that fails, and in one whose secret is refused.
    const message = configError({ TDS_ALERT_WEBHOOK_URLS: 'https://ok.example.com, ftp://hooks.example.com/x?token=hush', TDS_ALERT_WEBHOOK_SECRET: 'a-long-enough-secret' });
    expect(message).toContain('entry 2');
    expect(message).not.toContain('hush');
    expect(configError({ TDS_ALERT_WEBHOOK_URLS: 'not a url', TDS_ALERT_WEBHOOK_SECRET: 'a-long-enough-secret' })).not.toContain('not a url');
    expect(configError({ TDS_ALERT_WEBHOOK_URLS: 'https://hooks.example.com/x?token=hush', TDS_ALERT_WEBHOOK_SECRET: 'short' })).not.toMatch(/hush|short\b/);
    expect(configError({ TDS_ALERT_WEBHOOK_URLS: 'https://hooks.example.com/x', TDS_ALERT_WEBHOOK_SECRET: 'short-secret' })).not.toContain('short-secret');
  });
});
