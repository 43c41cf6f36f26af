import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { createClient } from '@keyv/redis';
import { AppCache } from '../../../src/shared/cache/app-cache.js';
import { createTestApp, type TestApp } from '../../support/create-test-app.js';
import { TEST_REDIS_URL } from '../../support/global-setup.js';
import { describeRedis } from '../../support/test-database.js';
import { countingLoader, eventually, gatedLoader } from './cache-test-kit.js';

/** The app on its embedded database, so only Redis is needed. */
const embedded = {
  TDS_API_KEYS: 'viewer:cache-spec-key-0123456789',
  DATABASE_URL: '',
  TDS_DATA_DIR: 'memory',
  TDS_WORKERS_ENABLED: 'false',
  TDS_OUTBOX_RELAY_ENABLED: 'false',
};

function captureLogs() {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) } };
}

describeRedis('AppCache on Redis', () => {
  const namespace = `tds-test-${process.pid}-${randomBytes(4).toString('hex')}`;
  const instanceId = `cache-spec-${randomBytes(4).toString('hex')}`;
  let testApp: TestApp;
  let cache: AppCache;
  let redis: ReturnType<typeof createClient>;
  const key = (name: string) => `spec:${name}:${randomBytes(3).toString('hex')}`;
  const redisKey = (k: string) => `${namespace}::${k}`;

  beforeAll(async () => {
    redis = createClient({ url: TEST_REDIS_URL });
    redis.on('error', () => undefined);
    await redis.connect();
    testApp = await createTestApp({
      ...embedded,
      LOG_LEVEL: 'silent',
      REDIS_URL: TEST_REDIS_URL,
      TDS_CACHE_NAMESPACE: namespace,
      TDS_CACHE_TTL_MS: '600000',
      TDS_INSTANCE_ID: instanceId,
    });
    cache = testApp.app.get(AppCache);
    await eventually(async () => (await cache.readiness()).up, 'connected to Redis');
  });

  afterAll(async () => {
    await testApp?.close();
    if (redis?.isOpen) {
      for await (const keys of redis.scanIterator({ MATCH: `${namespace}*` })) if (keys.length > 0) await redis.del(keys);
      await redis.close();
    }
  });

  it('loads once and serves from Redis afterwards, under the namespace given once', async () => {
    const k = key('cached');
    const load = countingLoader();
    expect(await cache.getOrLoad(k, load)).toBe('value-1');
    expect(await cache.getOrLoad(k, load)).toBe('value-1');
    expect(load.calls).toBe(1);
    const stored: string[] = [];
    for await (const keys of redis.scanIterator({ MATCH: `*${k}*` })) stored.push(...keys);
    expect(stored).toEqual([redisKey(k)]);
  });

  it('stores with the TTL: TDS_CACHE_TTL_MS by default, or the one given', async () => {
    const byDefault = key('default-ttl');
    const short = key('short-ttl');
    await cache.getOrLoad(byDefault, async () => 'x');
    await cache.getOrLoad(short, async () => 'x', 5_000);
    const defaultTtl = await redis.pTTL(redisKey(byDefault));
    const shortTtl = await redis.pTTL(redisKey(short));
    expect(defaultTtl).toBeGreaterThan(5_000);
    expect(defaultTtl).toBeLessThanOrEqual(600_000);
    expect(shortTtl).toBeGreaterThan(0);
    expect(shortTtl).toBeLessThanOrEqual(5_000);
  });

  it('deletes invalidated keys in Redis', async () => {
    const k = key('invalidated');
    const load = countingLoader();
    await cache.getOrLoad(k, load);
    await cache.invalidate([k]);
    expect(await redis.exists(redisKey(k))).toBe(0);
    expect(await cache.getOrLoad(k, load)).toBe('value-2');
  });

  it('does not write a load that was in flight when its key was invalidated', async () => {
    const k = key('race');
    const loader = gatedLoader();
    const inFlight = cache.getOrLoad(k, loader.load);
    await loader.started(1);
    await cache.invalidate([k]);
    loader.finish(1, 'read before the change');
    expect(await inFlight).toBe('read before the change');
    expect(await redis.exists(redisKey(k))).toBe(0);
  });

  it('serves reads while its Redis connection is lost, and caches again once it is back', async () => {
    const connections = (await redis.clientList()).filter((client) => client.name === `tds/${instanceId}`);
    expect(connections).toHaveLength(1);
    await redis.clientKill({ filter: 'ID', id: Number(connections[0].id) });

    const during = key('during-outage');
    expect(await cache.getOrLoad(during, async () => 'from the loader')).toBe('from the loader');

    await eventually(async () => (await cache.readiness()).up, 'reconnected to Redis');
    const after = key('after-outage');
    const load = countingLoader();
    await cache.getOrLoad(after, load);
    await cache.getOrLoad(after, load);
    expect(load.calls).toBe(1);
    expect(await redis.exists(redisKey(after))).toBe(1);
  });

  it('reports the cache ready', async () => {
    const ready = await testApp.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ info: { database: { status: 'up' }, cache: { status: 'up' } } });
  });
});

describe('AppCache with Redis unreachable', () => {
  const SECRET = 'redis-spec-password';
  const logs = captureLogs();
  let testApp: TestApp;
  let cache: AppCache;

  beforeAll(async () => {
    testApp = await createTestApp(
      { ...embedded, LOG_LEVEL: 'warn', REDIS_URL: `redis://tds:${SECRET}@127.0.0.1:1` },
      { logDestination: logs.destination },
    );
    cache = testApp.app.get(AppCache);
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it('still answers every read from the loader', async () => {
    const load = countingLoader();
    expect(await cache.getOrLoad('k', load)).toBe('value-1');
    expect(await cache.getOrLoad('k', load)).toBe('value-2');
    await expect(cache.invalidate(['k'])).resolves.toBeUndefined();
  });

  it('lets joint callers share the load even without a store', async () => {
    const loader = gatedLoader();
    const both = [cache.getOrLoad('shared', loader.load), cache.getOrLoad('shared', loader.load)];
    await loader.started(1);
    loader.finish(1, 'one load');
    expect(await Promise.all(both)).toEqual(['one load', 'one load']);
    expect(loader.calls).toBe(1);
  });

  it('keeps the instance ready, the cache reported degraded without saying why', async () => {
    const ready = await testApp.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({
      info: { database: { status: 'up' }, cache: { status: 'up', state: 'degraded', message: 'cache unavailable: reads go to the database' } },
    });
    expect(ready.body).not.toContain('127.0.0.1');
  });

  it('logs warnings, never the password', () => {
    const warnings = logs.lines.filter((line) => /"level":(40|"warn")/.test(line));
    expect(warnings.some((line) => /cache/i.test(line))).toBe(true);
    for (const line of logs.lines) expect(line).not.toContain(SECRET);
  });
});
