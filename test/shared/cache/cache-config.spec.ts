import 'reflect-metadata';
import { hostname } from 'node:os';
import { loadCacheConfig, redactRedisUrl } from '../../../src/shared/config/cache.config.js';
import { createTestApp } from '../../support/create-test-app.js';

const SECRET = 'hunter2-cache-secret';

function loadError(env: Record<string, string>): string {
  try {
    loadCacheConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('cache configuration', () => {
  it('defaults to a per-instance memory store, 60 s, namespace tds', () => {
    expect(loadCacheConfig({})).toEqual({
      store: 'memory',
      redisUrl: undefined,
      ttlMs: 60_000,
      namespace: 'tds',
      clientName: `tds/${hostname()}-${process.pid}`,
    });
    expect(loadCacheConfig({ REDIS_URL: '' }).store).toBe('memory');
  });

  it('uses Redis when REDIS_URL is set', () => {
    const url = `rediss://user:${SECRET}@cache.internal:6380/2`;
    const env = { REDIS_URL: url, TDS_CACHE_TTL_MS: '5000', TDS_CACHE_NAMESPACE: 'tds-staging', TDS_INSTANCE_ID: 'api-2' };
    expect(loadCacheConfig(env)).toEqual({
      store: 'redis',
      redisUrl: url,
      ttlMs: 5000,
      namespace: 'tds-staging',
      clientName: 'tds/api-2',
    });
  });

  it.each([
    ['REDIS_URL', { REDIS_URL: `http://user:${SECRET}@cache:6379` }],
    ['REDIS_URL', { REDIS_URL: `redis://user:${SECRET}@[cache` }],
    ['REDIS_URL', { REDIS_URL: `redis://user:${SECRET} @cache` }],
    ['TDS_CACHE_TTL_MS', { TDS_CACHE_TTL_MS: '0' }],
    ['TDS_CACHE_TTL_MS', { TDS_CACHE_TTL_MS: 'soon' }],
    ['TDS_CACHE_NAMESPACE', { TDS_CACHE_NAMESPACE: 'tds:prod' }],
    ['TDS_CACHE_NAMESPACE', { TDS_CACHE_NAMESPACE: 'x'.repeat(65) }],
  ])('refuses a bad %s without repeating its value', (variable, env) => {
    const message = loadError(env);
    expect(message).toContain(variable);
    expect(message).not.toContain(SECRET);
  });

  it('stops boot on a bad REDIS_URL without echoing it', async () => {
    const boot = createTestApp({
      TDS_DATA_DIR: 'memory',
      DATABASE_URL: '',
      TDS_WORKERS_ENABLED: 'false',
      TDS_OUTBOX_RELAY_ENABLED: 'false',
      TDS_API_KEYS: 'viewer:cache-spec-key-0123456789',
      REDIS_URL: `memcached://user:${SECRET}@cache`,
    });
    const message = await boot.then(
      () => 'booted',
      (error: Error) => error.message,
    );
    expect(message).toContain('REDIS_URL');
    expect(message).not.toContain(SECRET);
  });

  it('redacts the password of a Redis URL for log lines', () => {
    expect(redactRedisUrl(`redis://user:${SECRET}@cache:6379/1`)).toBe('redis://user:***@cache:6379/1');
    expect(redactRedisUrl('redis://cache:6379')).toBe('redis://cache:6379');
  });
});
