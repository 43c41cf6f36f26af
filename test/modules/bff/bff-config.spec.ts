import { loadBffConfig } from '../../../src/shared/config/bff.config.js';

describe('BFF configuration', () => {
  it('caches for 30 s (dashboard, runs, alerts) and 60 s (entities, dead letters, throughput) by default', () => {
    expect(loadBffConfig({}).ttlMs).toEqual({ dashboard: 30_000, runs: 30_000, alerts: 30_000, entities: 60_000, deadLetters: 60_000, throughput: 60_000 });
    expect(loadBffConfig({ TDS_BFF_ALERTS_TTL_MS: '5000' }).ttlMs.alerts).toBe(5_000);
  });

  it('refuses a TTL that is not a positive whole number of ms, naming the variable', () => {
    for (const value of ['0', '-1', '1.5', 'soon', '3600001']) {
      expect(() => loadBffConfig({ TDS_BFF_DASHBOARD_TTL_MS: value })).toThrow(/TDS_BFF_DASHBOARD_TTL_MS/);
    }
  });
});
