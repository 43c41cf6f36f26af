import 'reflect-metadata';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { appConfig } from '../../../src/shared/config/app.config.js';
import { authConfig } from '../../../src/shared/config/auth.config.js';
import { createTestApp } from '../../support/create-test-app.js';
import { withEnv } from '../../support/with-env.js';

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
    ['no role separator', 'bogus-key-0123456789abcdef', 'entry 1 is not of the form role:key'],
    ['an unknown role', 'superuser:super-key-0123456789abcd', 'entry 1 has an unknown role'],
    ['role and key swapped', 'sekrit-key-value-0123456789:viewer', 'entry 1 has an unknown role'],
    ['an empty key', 'viewer:', 'entry 1 has an empty key'],
    ['a trailing comma', 'viewer:viewer-key-0123456789abcd,', 'entry 2 is not of the form role:key'],
    ['a repeated key', 'viewer:same-key-0123456789abcdef,admin:same-key-0123456789abcdef', 'entry 2 repeats a key'],
    ['a key shorter than 24 characters', 'viewer:viewer-key-0123456789abcd,admin:short-admin-key-01234', 'entry 2 has a key shorter than 24 characters'],
  ])('stops boot on TDS_API_KEYS with %s, naming the entry without echoing it', async (_label, value, reason) => {
    const message = await bootError({ TDS_API_KEYS: value });
    expect(message).toContain(`TDS_API_KEYS: ${reason}`);
    for (const fragment of value.split(/[:,]/).filter((f) => f.length > 0 && !['viewer', 'admin'].includes(f))) {
      expect(message).not.toContain(fragment);
    }
  });
});

describe('authConfig', () => {
  it('keeps digests and short ids of the keys, never the keys', () => {
    const config = withEnv({ TDS_API_KEYS: ' viewer:key-one-0123456789abcdef , admin:key-two-0123456789abcdef' }, authConfig);
    expect(config.apiKeys.map(({ role, keyId }) => ({ role, keyId }))).toEqual([
      { role: 'viewer', keyId: expect.stringMatching(/^[0-9a-f]{12}$/) },
      { role: 'admin', keyId: expect.stringMatching(/^[0-9a-f]{12}$/) },
    ]);
    expect(JSON.stringify(config)).not.toMatch(/key-one|key-two/);
  });

  it('takes a key of exactly 24 characters', () => {
    expect(withEnv({ TDS_API_KEYS: `viewer:${'k'.repeat(24)}` }, authConfig).apiKeys).toHaveLength(1);
  });

  it('puts the generated admin key in ./data/admin-api-key unless TDS_ADMIN_KEY_FILE says where, as an absolute path', () => {
    expect(withEnv({}, authConfig).adminKeyFile).toBe(resolve('data', 'admin-api-key'));
    expect(withEnv({ TDS_ADMIN_KEY_FILE: 'keys/admin' }, authConfig).adminKeyFile).toBe(resolve('keys', 'admin'));
    expect(withEnv({ TDS_ADMIN_KEY_FILE: '/run/secrets/tds-admin' }, authConfig).adminKeyFile).toBe('/run/secrets/tds-admin');
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
      requestTimeoutMs: 30_000,
      connectionTimeoutMs: 120_000,
      logLevel: 'info',
      nodeEnv: 'production',
      instanceId: `${hostname()}-${process.pid}`,
    });
  });

  it('refuses an instance id that could forge log fields', () => {
    expect(() => withEnv({ TDS_INSTANCE_ID: 'a"b\nc' }, appConfig)).toThrow(/TDS_INSTANCE_ID/);
  });
});
