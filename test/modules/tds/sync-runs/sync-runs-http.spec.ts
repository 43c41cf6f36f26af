import { ENTITY_TYPES } from '../../../../src/modules/tds/processors/entity-processor.registry.js';
import { rows } from '../../../support/queue-fixtures.js';
import { describePostgres } from '../../../support/test-database.js';
import { getAs } from '../enqueue/enqueue-test-kit.js';
import { drain, enqueue, failPermanently, getRun, KEYS, newCustomer, newProducts, useSyncRunApp } from './sync-run-test-kit.js';

interface RunPage {
  items: { id: number; status: string; kind: string; entityType: string | null }[];
  nextCursor: string | null;
}

describePostgres('GET /api/tds/sync-runs', () => {
  const suite = useSyncRunApp();

  const list = async (query: string): Promise<RunPage> => {
    const res = await getAs(suite.app, `/api/tds/sync-runs${query}`);
    expect(res.statusCode).toBe(200);
    return res.json();
  };
  const ids = (page: RunPage) => page.items.map((run) => run.id);

  it('filters by status, kind, entity type and start time; each item as GET /:id reports it', async () => {
    const customers = await enqueue(suite.app, [newCustomer()]);
    const failing = newProducts(1);
    failPermanently(suite.app, failing);
    const failed = await enqueue(suite.app, failing);
    await drain(suite.app);
    const open = await enqueue(suite.app, newProducts(1));
    // A pull run waiting to start: made, never started.
    const [pull] = await rows<{ id: number }>(
      suite.db,
      `INSERT INTO tds_sync_runs (kind, source, entity_type, status) VALUES ('pull', 'zoho', 'invoice', 'pending') RETURNING id::int AS id`,
    );

    expect(ids(await list('?status=completed'))).toEqual([customers.syncRunId]);
    expect(ids(await list('?status=failed'))).toEqual([failed.syncRunId]);
    expect(ids(await list('?status=running&entityType=product'))).toEqual([open.syncRunId]);
    expect(ids(await list('?entityType=customer'))).toEqual([customers.syncRunId]);
    expect(ids(await list('?kind=bulk'))).toEqual([open.syncRunId, failed.syncRunId, customers.syncRunId]);
    expect(ids(await list('?kind=replay'))).toEqual([]);
    expect(ids(await list(''))).toEqual([pull.id, open.syncRunId, failed.syncRunId, customers.syncRunId]);

    const pulls = await list('?kind=pull');
    expect(pulls).toEqual({ items: [await getRun(suite.app, pull.id)], nextCursor: null });
    const [closed] = (await list('?status=completed')).items;
    expect(closed).toEqual(await getRun(suite.app, customers.syncRunId));

    // Started at or after the open run's start: the open run; the pull run has not started.
    const [{ at }] = await rows<{ at: string }>(
      suite.db,
      `SELECT to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at FROM tds_sync_runs WHERE id = $1`,
      [open.syncRunId],
    );
    expect(ids(await list(`?since=${at}`))).toEqual([open.syncRunId]);
    expect(ids(await list(`?since=${encodeURIComponent('2000-01-01T00:00:00+02:00')}&limit=2`))).toEqual([open.syncRunId, failed.syncRunId]);
  });

  it('pages newest first with a keyset cursor: every run once, none of those made meanwhile', async () => {
    for (let n = 0; n < 25; n++) await enqueue(suite.app, newProducts(1));
    const before = (await rows<{ id: number }>(suite.db, `SELECT id::int AS id FROM tds_sync_runs ORDER BY created_at DESC, id DESC`)).map((r) => r.id);
    expect(before.length).toBeGreaterThanOrEqual(29);

    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: RunPage = await list(`?limit=10${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(10);
      seen.push(...ids(page));
      cursor = page.nextCursor;
      pages += 1;
      // New runs between pages sort before the cursor: later pages must not show them.
      await enqueue(suite.app, newProducts(1));
      await enqueue(suite.app, [newCustomer()]);
    } while (cursor);

    expect(seen).toEqual(before);
    expect(pages).toBe(Math.floor(before.length / 10) + 1);
  });

  it('refuses bad input with 422 naming the parameter', async () => {
    const garbage = Buffer.from(JSON.stringify(['yesterday', 1])).toString('base64url');
    const cases: [string, string][] = [
      ['status=done', 'status'],
      ['kind=push', 'kind'],
      ['entityType=', 'entityType'],
      ['entityType=pro%00duct', 'entityType'],
      ['since=yesterday', 'since'],
      ['since=2026-02-30T00:00:00Z', 'since'],
      ['since=2026-W49-4', 'since'],
      ['since=2026-12-03T10:00:00', 'since'],
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=ten', 'limit'],
      ['limit=1.5', 'limit'],
      ['cursor=abc', 'cursor'],
      [`cursor=${garbage}`, 'cursor'],
      ['cursor=%25%25', 'cursor'],
      ['status=running&status=failed', 'status'],
      ['offset=10', 'offset'],
    ];
    for (const [query, path] of cases) {
      const res = await getAs(suite.app, `/api/tds/sync-runs?${query}`);
      expect({ query, status: res.statusCode }).toEqual({ query, status: 422 });
      expect(res.json()).toMatchObject({ statusCode: 422, error: 'VALIDATION_FAILED' });
      expect(res.json().details.map((d: { path: string }) => d.path)).toContain(path);
    }
    const res = await getAs(suite.app, '/api/tds/entity-types?entityType=product');
    expect(res.statusCode).toBe(422);
    expect(res.json().details.map((d: { path: string }) => d.path)).toContain('entityType');
  });

  it('needs a key: 401 without one or with a wrong one', async () => {
    for (const url of ['/api/tds/sync-runs', '/api/tds/entity-types']) {
      expect((await getAs(suite.app, url, null)).statusCode).toBe(401);
      expect((await getAs(suite.app, url, 'not-a-key-0123456789abcdef')).statusCode).toBe(401);
      expect((await getAs(suite.app, url, KEYS.viewer)).statusCode).toBe(200);
    }
  });
});

describePostgres('GET /api/tds/entity-types', () => {
  const suite = useSyncRunApp();

  it('reports every known entity type on a known workload, zeros for the quiet ones', async () => {
    const quiet = await getAs(suite.app, '/api/tds/entity-types');
    expect(quiet.statusCode).toBe(200);
    expect(quiet.json()).toEqual(
      ENTITY_TYPES.map((entityType) => ({
        entityType, mirrored: 0, pendingItems: 0, oldestPendingAgeSeconds: null, openDeadLetters: 0, lastSuccessAt: null, applied24h: 0, failed24h: 0, successRate24h: null,
      })),
    );

    // Products: three applied (one of them a delete), one dead-lettered, two waiting. One customer applied.
    const [kept, removed, broken] = newProducts(3);
    failPermanently(suite.app, [broken]);
    await enqueue(suite.app, [kept, removed, broken, newCustomer()]);
    await drain(suite.app);
    const deletion = { ...removed, operation: 'delete', version: '2025-11-19T02:02:51+0300' };
    await enqueue(suite.app, [deletion]);
    await drain(suite.app);
    await enqueue(suite.app, newProducts(2));

    const res = await getAs(suite.app, '/api/tds/entity-types');
    expect(res.statusCode).toBe(200);
    const byType = new Map<string, Record<string, unknown>>(res.json().map((row: { entityType: string }) => [row.entityType, row]));
    expect([...byType.keys()]).toEqual(ENTITY_TYPES);

    const minute = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000Z$/);
    expect(byType.get('product')).toEqual({
      entityType: 'product', mirrored: 1, pendingItems: 2, oldestPendingAgeSeconds: expect.any(Number), openDeadLetters: 1, lastSuccessAt: minute,
      applied24h: 3, failed24h: 1, successRate24h: 0.75,
    });
    expect(byType.get('customer')).toEqual({
      entityType: 'customer', mirrored: 1, pendingItems: 0, oldestPendingAgeSeconds: null, openDeadLetters: 0, lastSuccessAt: minute,
      applied24h: 1, failed24h: 0, successRate24h: 1,
    });
    // The two waiting products were enqueued just before the read, on the database clock.
    const [{ waited }] = await rows<{ waited: number }>(
      suite.db,
      `SELECT EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS waited FROM tds_sync_queue WHERE entity_type = 'product' AND status = 'pending'`,
    );
    expect(byType.get('product')!.oldestPendingAgeSeconds).toBeGreaterThan(0);
    expect(byType.get('product')!.oldestPendingAgeSeconds).toBeLessThanOrEqual(waited);
    const lastSuccess = Date.parse(byType.get('product')!.lastSuccessAt as string);
    expect(Date.now() - lastSuccess).toBeLessThan(3 * 60_000);
    expect(byType.get('invoice')).toMatchObject({ mirrored: 0, pendingItems: 0, lastSuccessAt: null, successRate24h: null });
  });
});
