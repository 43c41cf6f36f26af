import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../../support/create-test-app.js';
import { rows, waitUntilDrained } from '../../support/queue-fixtures.js';
import { eventually, spawnApp } from '../../support/spawn-app.js';
import { createTestDatabase, describePostgres, type TestDatabase } from '../../support/test-database.js';
import { getAs, KEYS, postQueue, productItem } from './enqueue/enqueue-test-kit.js';

const KEY_LIST = Object.entries(KEYS).map(([role, key]) => `${role}:${key}`).join(',');

/** Instances by role on one database: the API takes work in, only workers claim it. */
describePostgres('instance roles (TDS_ROLE)', () => {
  let database: TestDatabase;
  let api: TestApp;
  let worker: TestApp | undefined;
  let db: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    api = await createTestApp({
      DATABASE_URL: database.url,
      TDS_API_KEYS: KEY_LIST,
      TDS_ROLE: 'api',
      // Were a worker or relay running here, it would find the work at once.
      TDS_POLL_INTERVAL_MS: '20',
      TDS_OUTBOX_POLL_INTERVAL_MS: '20',
    });
    db = api.app.get(DataSource);
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await database?.drop();
  });

  it('an api instance takes work in, claims none of it, and says so in readiness', async () => {
    const res = await postQueue(api.app, { items: [1, 2, 3].map((n) => productItem(n)) });
    expect(res.statusCode).toBe(202);
    await new Promise((r) => setTimeout(r, 1_500));
    const [state] = await rows<{ pending: number; claims: number }>(
      db,
      `SELECT (SELECT count(*)::int FROM tds_sync_queue WHERE status = 'pending') AS pending,
              (SELECT count(*)::int FROM tds_batch_claims) AS claims`,
    );
    expect(state).toEqual({ pending: 3, claims: 0 });

    const ready = await api.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().info.role).toEqual({ status: 'up', roles: ['api'] });
    expect(ready.json().info.workers).toEqual({ status: 'up', state: 'disabled' });
    expect((await getAs(api.app, '/api/tds/queue/stats')).statusCode).toBe(200);
  });

  it('a worker instance applies the work and serves nothing beyond health and metrics', async () => {
    worker = await createTestApp({
      DATABASE_URL: database.url,
      TDS_API_KEYS: KEY_LIST,
      TDS_ROLE: 'worker',
      TDS_POLL_INTERVAL_MS: '50',
    });
    await waitUntilDrained(db, 20_000);
    const [applied] = await rows<{ n: number }>(db, `SELECT count(*)::int AS n FROM tds_entities WHERE arrival_seq > 0`);
    expect(applied.n).toBe(3);

    for (const [method, url] of [
      ['GET', '/api/tds/queue/stats'],
      ['POST', '/api/tds/queue'],
      ['GET', '/api/bff/tds/dashboard'],
      ['GET', '/api/docs'],
      ['GET', '/'],
    ] as const) {
      const res = await worker.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${KEYS.admin}`, 'content-type': 'application/json' },
        ...(method === 'POST' ? { payload: JSON.stringify({ items: [productItem(9)] }) } : {}),
      });
      expect([url, res.statusCode, res.json().error]).toEqual([url, 404, 'ROUTE.NOT_SERVED']);
    }
    const ready = await worker.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().info.role).toEqual({ status: 'up', roles: ['worker'] });
    expect(ready.json().info.workers).toEqual({ status: 'up' });
    expect((await worker.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    const metrics = await worker.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('tds_');
    // Nothing was enqueued through it.
    const [{ n }] = await rows<{ n: number }>(db, `SELECT count(*)::int AS n FROM tds_sync_queue`);
    expect(n).toBe(3);
  });

  it('a process with an unknown role stops at start-up naming it', async () => {
    const proc = spawnApp({ DATABASE_URL: database.url, TDS_API_KEYS: KEY_LIST, TDS_ROLE: 'api,wroker' });
    const exit = await proc.exited;
    expect(exit.code).toBe(1);
    await eventually(() => expect(proc.output()).toContain('TDS_ROLE: unknown role "wroker"'));
  });
});
