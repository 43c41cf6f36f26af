import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { createClient } from '@keyv/redis';
import { AppCache } from '../../../src/shared/cache/app-cache.js';
import { createTestApp, type TestApp } from '../../support/create-test-app.js';
import { TEST_REDIS_URL } from '../../support/global-setup.js';
import { createTestDatabase, postgresAvailable, redisAvailable, type TestDatabase } from '../../support/test-database.js';
import { countingLoader, eventually, gatedLoader } from './cache-test-kit.js';

/*
 * Two instances of the real application on one PostgreSQL database: an invalidation made on
 * one must reach the other, through NOTIFY (in-memory stores) or through Redis (shared store).
 */

const describeWithPostgresAndRedis = postgresAvailable() && redisAvailable() ? describe : describe.skip;
const describeWithPostgres = postgresAvailable() ? describe : describe.skip;

const quietApp = {
  TDS_WORKERS_ENABLED: 'false',
  TDS_OUTBOX_RELAY_ENABLED: 'false',
  TDS_API_KEYS: 'viewer:cache-spec-key-0123456789',
  LOG_LEVEL: 'silent',
};

async function twoInstances(env: Record<string, string>): Promise<[TestApp, TestApp]> {
  const a = await createTestApp({ ...quietApp, ...env, TDS_INSTANCE_ID: 'cache-spec-a' });
  try {
    return [a, await createTestApp({ ...quietApp, ...env, TDS_INSTANCE_ID: 'cache-spec-b' })];
  } catch (error) {
    await a.close();
    throw error;
  }
}

describeWithPostgres('AppCache across instances, in-memory stores [postgres]', () => {
  let db: TestDatabase;
  let apps: TestApp[] = [];
  let a: AppCache;
  let b: AppCache;
  const key = (name: string) => `spec:${name}:${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    apps = await twoInstances({ DATABASE_URL: db.url });
    [a, b] = apps.map((testApp) => testApp.app.get(AppCache));
  });

  afterAll(async () => {
    await Promise.all(apps.map((testApp) => testApp.close()));
    await db?.drop();
  });

  it('keeps one store per instance', async () => {
    const k = key('separate');
    expect(await b.getOrLoad(k, async () => 'on b')).toBe('on b');
    expect(await a.getOrLoad(k, async () => 'on a')).toBe('on a');
    expect(await b.getOrLoad(k, async () => 'again')).toBe('on b');
  });

  it('drops a key on the other instance when one invalidates it (NOTIFY)', async () => {
    const k = key('notify');
    const onB = countingLoader('b');
    expect(await b.getOrLoad(k, onB)).toBe('b-1');
    expect(await b.getOrLoad(k, onB)).toBe('b-1');

    await a.invalidate([k]);

    await eventually(async () => (await b.getOrLoad(k, onB)) !== 'b-1', 'B reloads the key A invalidated');
    expect(onB.calls).toBe(2);
  });

  it('drops every key of a list too long for one NOTIFY payload', async () => {
    const keys = Array.from({ length: 1500 }, (_, i) => key(`bulk-${i}`));
    const last = keys[keys.length - 1];
    await b.getOrLoad(keys[0], async () => 'old');
    await b.getOrLoad(last, async () => 'old');

    await a.invalidate(keys);

    await eventually(async () => (await b.getOrLoad(last, async () => 'new')) === 'new', 'B drops the last key');
    expect(await b.getOrLoad(keys[0], async () => 'new')).toBe('new');
  });

  it('does not store a load in flight on the other instance once the NOTIFY has reached it', async () => {
    const raced = key('race');
    const probe = key('probe');
    const loader = gatedLoader();
    const inFlight = b.getOrLoad(raced, loader.load);
    await loader.started(1);
    const probeLoader = countingLoader('probe');
    await b.getOrLoad(probe, probeLoader);

    // One call, one NOTIFY: once B has dropped the probe it has seen the raced key too.
    await a.invalidate([raced, probe]);
    await eventually(async () => {
      await b.getOrLoad(probe, probeLoader);
      return probeLoader.calls > 1;
    }, 'B receives the invalidation');

    loader.finish(1, 'read before the change');
    expect(await inFlight).toBe('read before the change');
    expect(await b.getOrLoad(raced, async () => 'read after the change')).toBe('read after the change');
  });
});

describeWithPostgresAndRedis('AppCache across instances, shared Redis store [postgres]', () => {
  const namespace = `tds-test-${process.pid}-${randomBytes(4).toString('hex')}`;
  let db: TestDatabase;
  let apps: TestApp[] = [];
  let a: AppCache;
  let b: AppCache;
  let redis: ReturnType<typeof createClient>;
  const key = (name: string) => `spec:${name}:${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = createClient({ url: TEST_REDIS_URL });
    redis.on('error', () => undefined);
    await redis.connect();
    apps = await twoInstances({ DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, TDS_CACHE_NAMESPACE: namespace });
    [a, b] = apps.map((testApp) => testApp.app.get(AppCache));
    for (const cache of [a, b]) await eventually(async () => (await cache.readiness()).up, 'connected to Redis');
  });

  afterAll(async () => {
    await Promise.all(apps.map((testApp) => testApp.close()));
    if (redis?.isOpen) {
      for await (const keys of redis.scanIterator({ MATCH: `${namespace}::*` })) if (keys.length > 0) await redis.del(keys);
      await redis.close();
    }
    await db?.drop();
  });

  it('shares what one instance stored with the other', async () => {
    const k = key('shared');
    const onA = countingLoader('a');
    expect(await b.getOrLoad(k, async () => 'stored by b')).toBe('stored by b');
    expect(await a.getOrLoad(k, onA)).toBe('stored by b');
    expect(onA.calls).toBe(0);
    expect(await redis.exists(`${namespace}::${k}`)).toBe(1);
  });

  it('drops a key for every instance when one invalidates it', async () => {
    const k = key('invalidate');
    const onB = countingLoader('b');
    expect(await b.getOrLoad(k, onB)).toBe('b-1');

    await a.invalidate([k]);

    // Deleted in Redis before invalidate resolves: no need to wait for the NOTIFY.
    expect(await redis.exists(`${namespace}::${k}`)).toBe(0);
    expect(await b.getOrLoad(k, onB)).toBe('b-2');
    expect(await a.getOrLoad(k, async () => 'a')).toBe('b-2');
  });
});
