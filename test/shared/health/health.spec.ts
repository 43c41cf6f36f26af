import 'reflect-metadata';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppCache } from '../../../src/shared/cache/app-cache.js';
import { createTestApp, type TestApp } from '../../support/create-test-app.js';
import { describeEachBackend } from '../../support/test-database.js';

describeEachBackend('health endpoints', (backend) => {
  let testApp: TestApp;
  const get = (url: string) => testApp.app.inject({ method: 'GET', url });

  beforeAll(async () => {
    testApp = await createTestApp({
      ...backend.env,
      TDS_WORKERS_ENABLED: 'false',
      TDS_OUTBOX_RELAY_ENABLED: 'false',
      TDS_API_KEYS: 'viewer:health-spec-key-0123456789',
      LOG_LEVEL: 'silent',
    });
  });

  afterAll(async () => {
    await testApp?.close();
  });

  afterEach(() => jest.restoreAllMocks());

  it('reports live and ready without a key', async () => {
    const live = await get('/health/live');
    expect(live.statusCode).toBe(200);
    expect(live.json()).toMatchObject({ status: 'ok' });
    const ready = await get('/health/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, cache: { status: 'up' } } });
  });

  it('is ready with the workers and the relay disabled by configuration, and says they are', async () => {
    const ready = await get('/health/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({
      status: 'ok',
      info: { workers: { status: 'up', state: 'disabled' }, relay: { status: 'up', state: 'disabled' } },
    });
  });

  it('is reachable over a real socket (supertest) as well as through inject', async () => {
    const res = await request(testApp.app.getHttpServer()).get('/health/live').set('x-request-id', 'over-the-wire');
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBe('over-the-wire');
  });

  it('reports not ready, in the error shape, when the database fails, without saying why', async () => {
    jest.spyOn(testApp.app.get(DataSource), 'query').mockRejectedValueOnce(new Error('connect ECONNREFUSED 10.0.0.5:5432'));
    const ready = await get('/health/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({
      statusCode: 503,
      error: 'SERVICE_UNAVAILABLE',
      details: { status: 'error', error: { database: { status: 'down', message: 'database unavailable' } } },
    });
    expect(ready.body).not.toContain('10.0.0.5');
    expect((await get('/health/live')).statusCode).toBe(200);
  });

  it('stays ready when the cache is down (reads go to the database), reporting it degraded without saying why', async () => {
    jest
      .spyOn(testApp.app.get(AppCache), 'readiness')
      .mockResolvedValueOnce({ store: 'redis', up: false, reason: 'connect ECONNREFUSED 10.0.0.9:6379' });
    const ready = await get('/health/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' }, cache: { status: 'up', state: 'degraded', message: 'cache unavailable: reads go to the database' } },
    });
    expect(ready.body).not.toContain('10.0.0.9');
    expect((await get('/health/live')).statusCode).toBe(200);
  });

  it('reports not ready when the database does not answer in time', async () => {
    jest.spyOn(testApp.app.get(DataSource), 'query').mockReturnValueOnce(new Promise(() => undefined));
    const started = Date.now();
    const ready = await get('/health/ready');
    expect(ready.statusCode).toBe(503);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
