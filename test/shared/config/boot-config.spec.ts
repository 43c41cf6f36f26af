import 'reflect-metadata';
import { hostname } from 'node:os';
import { appConfig } from '../../../src/shared/config/app.config.js';
import { authConfig } from '../../../src/shared/config/auth.config.js';
import { createTestApp } from '../../support/create-test-app.js';

/** Runs a config factory against `env` only, as ConfigModule would at boot. */
function withEnv<T>(env: Record<string, string>, load: () => T): T {
  const previous = process.env;
  process.env = { ...env };
  try {
    return load();
  } finally {
    process.env = previous;
  }
}

async function bootError(env: Record<string, string>): Promise<string> {
  const boot = createTestApp({ TDS_WORKERS_ENABLED: 'false', TDS_OUTBOX_RELAY_ENABLED: 'false', ...env });
  await expect(boot).rejects.toThrow('Invalid configuration');
  return boot.then(
    () => '',
    (error: Error) => error.message,
  );
}

describe('configuration at boot', () => {
  it.each([
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['TDS_BATCH_SIZE', { TDS_BATCH_SIZE: '0' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['TDS_BODY_LIMIT_BYTES', { TDS_BODY_LIMIT_BYTES: '-1' }],
  ])('stops boot naming %s', async (variable, env) => {
    expect(await bootError(env)).toContain(variable);
  });

  it.each([
    ['no role separator', 'bogus'],
    ['an unknown role', 'superuser:k-123456'],
    ['role and key swapped', 'sekrit-key-value:viewer'],
    ['an empty key', 'viewer:'],
    ['a trailing comma', 'viewer:k-123456,'],
    ['a repeated key', 'viewer:same-key-123,admin:same-key-123'],
  ])('stops boot on TDS_API_KEYS with %s, without echoing it', async (_label, value) => {
    const message = await bootError({ TDS_API_KEYS: value });
    expect(message).toContain('TDS_API_KEYS');
    for (const fragment of value.split(/[:,]/).filter((f) => f.length > 0 && !['viewer', 'admin'].includes(f))) {
      expect(message).not.toContain(fragment);
    }
  });
});

describe('authConfig', () => {
  it('keeps digests and short ids of the keys, never the keys', () => {
    const config = withEnv({ TDS_API_KEYS: ' viewer:key-one , admin:key-two' }, authConfig);
    expect(config.apiKeys.map(({ role, keyId }) => ({ role, keyId }))).toEqual([
      { role: 'viewer', keyId: expect.stringMatching(/^[0-9a-f]{12}$/) },
      { role: 'admin', keyId: expect.stringMatching(/^[0-9a-f]{12}$/) },
    ]);
    expect(JSON.stringify(config)).not.toMatch(/key-one|key-two/);
  });

  it('has no keys when TDS_API_KEYS is unset or empty', () => {
    expect(withEnv({}, authConfig).apiKeys).toEqual([]);
    expect(withEnv({ TDS_API_KEYS: '' }, authConfig).apiKeys).toEqual([]);
  });
});

describe('appConfig', () => {
  it('has production defaults', () => {
    expect(withEnv({}, appConfig)).toEqual({
      port: 3000,
      host: '0.0.0.0',
      bulkBodyLimitBytes: 10 * 1024 * 1024,
      bodyLimitBytes: 1024 * 1024,
      logLevel: 'info',
      nodeEnv: 'production',
      instanceId: `${hostname()}-${process.pid}`,
    });
  });

  it('refuses an instance id that could forge log fields', () => {
    expect(() => withEnv({ TDS_INSTANCE_ID: 'a"b\nc' }, appConfig)).toThrow(/TDS_INSTANCE_ID/);
  });
});
