import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createTestApp, type TestApp } from '../../support/create-test-app.js';
import { createTestDatabase, describePostgres, type TestDatabase } from '../../support/test-database.js';
import { drain, enqueue, newProducts, SYNC_RUN_ENV } from '../tds/sync-runs/sync-run-test-kit.js';
import { bffGet } from './bff-test-kit.js';

/** A port nothing listens on: taken from the OS, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describePostgres('BFF with its Redis cache unreachable', () => {
  let database: TestDatabase;
  let testApp: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    testApp = await createTestApp({ ...SYNC_RUN_ENV, DATABASE_URL: database.url, REDIS_URL: `redis://127.0.0.1:${await closedPort()}` });
  });
  afterAll(async () => {
    await testApp?.close();
    await database?.drop();
  });

  it('answers every read from the database, and health says degraded', async () => {
    const { app } = testApp;
    const { syncRunId } = await enqueue(app, newProducts(2));
    await drain(app);
    for (let call = 0; call < 2; call += 1) {
      const dashboard = await bffGet(app, 'dashboard');
      expect(dashboard.statusCode).toBe(200);
      expect(dashboard.json().recentRuns).toEqual([expect.objectContaining({ id: syncRunId, succeeded: 2, progressPercent: 100 })]);
      expect(dashboard.headers.etag).toEqual(expect.any(String));
    }
    // Nothing cached: a change shows on the very next read.
    await enqueue(app, newProducts(1));
    expect((await bffGet(app, 'dashboard')).json().queue.pending).toBe(1);
    for (const path of ['sync-runs', `sync-runs/${syncRunId}`, 'entities', 'alerts', 'dead-letter', 'throughput?window=5m']) {
      expect([path, (await bffGet(app, path)).statusCode]).toEqual([path, 200]);
    }
    const health = await bffGet(app, 'health', null);
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'degraded', database: 'up', cache: 'down', checkedAt: expect.any(String) });
  });
});
