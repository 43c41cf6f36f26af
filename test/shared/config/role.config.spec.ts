import { instanceRoles } from '../../../src/shared/config/role.config.js';
import { jobsConfig } from '../../../src/shared/config/jobs.config.js';
import { outboxConfig } from '../../../src/shared/config/outbox.config.js';
import { pullConfig } from '../../../src/shared/config/pull.config.js';
import { queueConfig } from '../../../src/shared/config/queue.config.js';
import { withEnv } from '../../support/with-env.js';

const roles = (value?: string) => [...instanceRoles(value === undefined ? {} : { TDS_ROLE: value })].sort();

describe('TDS_ROLE', () => {
  it('runs everything by default and for all', () => {
    expect(roles()).toEqual(['api', 'scheduler', 'worker']);
    expect(roles('')).toEqual(['api', 'scheduler', 'worker']);
    expect(roles('all')).toEqual(['api', 'scheduler', 'worker']);
    expect(roles('api,all')).toEqual(['api', 'scheduler', 'worker']);
  });

  it('takes one role or a comma-separated list, spaces and case aside', () => {
    expect(roles('api')).toEqual(['api']);
    expect(roles('worker')).toEqual(['worker']);
    expect(roles(' Worker , scheduler ')).toEqual(['scheduler', 'worker']);
    expect(roles('api,,worker')).toEqual(['api', 'worker']);
  });

  it('stops start-up naming an unknown role', () => {
    expect(() => roles('api,wroker')).toThrow('TDS_ROLE: unknown role "wroker" (known: all, api, worker, scheduler)');
    expect(() => roles('web')).toThrow('"web"');
  });

  it('turns the loops of the roles an instance lacks off, whatever their own switches say', () => {
    const api = withEnv({ TDS_ROLE: 'api', TDS_WORKERS_ENABLED: 'true' }, () => [queueConfig(), outboxConfig(), pullConfig(), jobsConfig()] as const);
    expect([api[0].workersEnabled, api[1].relayEnabled, api[2].enabled, api[3].enabled]).toEqual([false, false, false, false]);
    const worker = withEnv({ TDS_ROLE: 'worker' }, () => [queueConfig(), outboxConfig(), pullConfig(), jobsConfig()] as const);
    expect([worker[0].workersEnabled, worker[1].relayEnabled, worker[2].enabled, worker[3].enabled]).toEqual([true, true, true, false]);
    const scheduler = withEnv({ TDS_ROLE: 'scheduler' }, () => [queueConfig(), jobsConfig()] as const);
    expect([scheduler[0].workersEnabled, scheduler[1].enabled]).toEqual([false, true]);
    // Inside its role a loop can still be switched off.
    expect(withEnv({ TDS_ROLE: 'worker', TDS_WORKERS_ENABLED: 'false' }, () => queueConfig().workersEnabled)).toBe(false);
  });
});
