import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../../support/create-test-app.js';
import { rows, waitUntilDrained } from '../../support/queue-fixtures.js';
import { eventually } from '../../support/spawn-app.js';
import { createTestDatabase, describePostgres, type TestDatabase } from '../../support/test-database.js';
import { KEYS, postQueue, productItem } from './enqueue/enqueue-test-kit.js';

type Role = keyof typeof KEYS;
const ORDER: Role[] = ['viewer', 'service', 'operator', 'admin'];

/** Every route of the sync core with the least role it needs. */
const ROUTES: { method: 'GET' | 'POST'; url: string; doc: string; role: Role; payload?: unknown }[] = [
  { method: 'POST', url: '/api/tds/queue', doc: '/api/tds/queue', role: 'service', payload: { items: [productItem(900)] } },
  { method: 'GET', url: '/api/tds/queue/stats', doc: '/api/tds/queue/stats', role: 'viewer' },
  { method: 'GET', url: '/api/tds/queue/1', doc: '/api/tds/queue/{id}', role: 'viewer' },
  { method: 'GET', url: '/api/tds/reaction-failures', doc: '/api/tds/reaction-failures', role: 'viewer' },
  { method: 'POST', url: '/api/tds/dead-letter/999999/replay', doc: '/api/tds/dead-letter/{id}/replay', role: 'operator' },
  { method: 'POST', url: '/api/tds/dead-letter/999999/resolve', doc: '/api/tds/dead-letter/{id}/resolve', role: 'operator', payload: { note: 'n' } },
];

describePostgres('the sync core over HTTP', () => {
  let database: TestDatabase;
  let testApp: TestApp;
  let db: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    testApp = await createTestApp({
      DATABASE_URL: database.url,
      TDS_API_KEYS: Object.entries(KEYS).map(([role, key]) => `${role}:${key}`).join(','),
      // Idle workers sleep a minute: anything picked up sooner was woken by NOTIFY.
      TDS_POLL_INTERVAL_MS: '60000',
      TDS_OUTBOX_POLL_INTERVAL_MS: '60000',
      TDS_TEST_FAULTS: 'permanent:item-bad',
    });
    db = testApp.app.get(DataSource);
  });
  afterAll(async () => {
    await testApp?.close();
    await database?.drop();
  });

  async function enqueue(items: unknown[]): Promise<number> {
    const res = await postQueue(testApp.app, { items });
    expect(res.statusCode).toBe(202);
    return res.json().syncRunId;
  }
  async function run(id: number) {
    await waitUntilDrained(db, 20_000);
    const [row] = await rows<Record<string, unknown>>(
      db,
      `SELECT status, total, processed, succeeded, failed, skipped, completed_at FROM tds_sync_runs WHERE id = $1`,
      [id],
    );
    return row;
  }

  it('workers wake on NOTIFY when work is enqueued, long before their poll interval', async () => {
    const started = Date.now();
    const runId = await enqueue([productItem(1), productItem(2)]);
    await eventually(async () => expect((await run(runId)).status).toBe('completed'), 20_000);
    expect(Date.now() - started).toBeLessThan(20_000);
    // The relay was woken the same way: the events are out.
    await eventually(async () => {
      const [{ n }] = await rows<{ n: number }>(db, `SELECT count(*)::int AS n FROM tds_outbox WHERE dispatched_at IS NULL`);
      expect(n).toBe(0);
    }, 20_000);
  });

  it('counts applied items as succeeded, unchanged and superseded ones as skipped, and closes the run as completed', async () => {
    const same = productItem(10);
    const older = productItem(10, { version: '2025-11-17T02:02:51+0300', payload: { ...same.payload, name: 'older' } });
    const runId = await enqueue([productItem(11), same, { ...same }, older]);
    expect(await run(runId)).toMatchObject({ status: 'completed', total: 4, processed: 4, succeeded: 2, failed: 0, skipped: 2 });
    expect((await run(runId)).completed_at).toBeInstanceOf(Date);
  });

  it('closes a run with a dead letter as partial, and one with nothing applied as failed', async () => {
    const bad = productItem(0, { sourceEntityId: 'item-bad', payload: { ...productItem(0).payload, item_id: 'item-bad' } });
    const partial = await enqueue([productItem(20), productItem(21), bad]);
    expect(await run(partial)).toMatchObject({ status: 'partial', total: 3, processed: 3, succeeded: 2, failed: 1 });
    const failed = await enqueue([{ ...bad, version: '2025-11-19T02:02:51+0300' }]);
    expect(await run(failed)).toMatchObject({ status: 'failed', total: 1, processed: 1, succeeded: 0, failed: 1 });
  });

  describe('auth matrix on every route', () => {
    for (const route of ROUTES) {
      const call = (headers: Record<string, string>) =>
        testApp.app.inject({ method: route.method, url: route.url, headers: { 'content-type': 'application/json', ...headers }, payload: route.payload === undefined ? undefined : JSON.stringify(route.payload) });

      it(`${route.method} ${route.url}: 401 without a key or with a bad one`, async () => {
        const none = await call({});
        expect(none.statusCode).toBe(401);
        expect(none.json().error).toBe('AUTH.MISSING_API_KEY');
        const bad = await call({ authorization: 'Bearer not-a-key' });
        expect(bad.statusCode).toBe(401);
        expect(bad.json().error).toBe('AUTH.INVALID_API_KEY');
      });

      for (const role of ORDER) {
        const allowed = ORDER.indexOf(role) >= ORDER.indexOf(route.role);
        it(`${route.method} ${route.url}: ${role} is ${allowed ? 'let through' : 'refused with 403'}`, async () => {
          const res = await call({ authorization: `Bearer ${KEYS[role]}` });
          if (allowed) expect([401, 403]).not.toContain(res.statusCode);
          else expect(res.json()).toMatchObject({ statusCode: 403, error: 'AUTH.INSUFFICIENT_ROLE' });
          expect(res.statusCode).toBeLessThan(500);
        });
      }
    }
  });

  it('describes every route in the OpenAPI document', async () => {
    const res = await testApp.app.inject({ method: 'GET', url: '/api/docs-json' });
    expect(res.statusCode).toBe(200);
    const paths = res.json().paths as Record<string, Record<string, unknown>>;
    for (const route of ROUTES) expect(paths[route.doc]).toHaveProperty(route.method.toLowerCase());
    for (const path of ['/health/live', '/health/ready']) expect(paths[path]).toHaveProperty('get');
  });
});
