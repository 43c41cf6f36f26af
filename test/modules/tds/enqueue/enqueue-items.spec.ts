import { DataSource } from 'typeorm';
import { DbNotifier } from '../../../../src/shared/database/db-notifier.js';
import { queryRows } from '../../../../src/shared/database/sql.js';
import type { TestApp } from '../../../support/create-test-app.js';
import { createTestApp } from '../../../support/create-test-app.js';
import { describeEachBackend } from '../../../support/test-database.js';
import { zohoSamples } from '../fixtures/zoho-payloads.js';
import { appEnv, countRows, getAs, KEYS, postQueue, productItem } from './enqueue-test-kit.js';

const ZOHO_VERSION_MS = Date.UTC(2025, 10, 17, 23, 2, 51); // 2025-11-18T02:02:51+0300

describeEachBackend('POST /api/tds/queue, GET /api/tds/queue/:id and /stats', (backend) => {
  let testApp: TestApp;
  let sql: <T = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>;
  const post = (body: unknown, options?: Parameters<typeof postQueue>[2]) => postQueue(testApp.app, body, options);
  const get = (url: string, key?: string | null) => getAs(testApp.app, url, key);

  beforeAll(async () => {
    testApp = await createTestApp({
      ...appEnv,
      ...backend.env,
      TDS_MAX_ATTEMPTS: '5',
      TDS_MAX_ATTEMPTS_BY_TYPE: 'invoice:3,stock_level:8',
    });
    const dataSource = testApp.app.get(DataSource);
    sql = (text, params = []) => queryRows(dataSource, text, params);
  });
  afterAll(async () => {
    await testApp?.close();
  });

  describe('accepted requests', () => {
    it('queues every item in one run, ids in request order, rows as sent', async () => {
      const samples = Object.entries(zohoSamples);
      type Item = { entityType: string; sourceEntityId: string; operation: string; version: string | number; priority?: number; payload: object };
      const items: Item[] = samples.map(([entityType, { payload, sourceEntityId }], i) => ({
        entityType,
        sourceEntityId,
        operation: 'update',
        // Zoho timestamps, plain numbers and digit strings
        version: i % 3 === 0 ? '2025-11-18T02:02:51+0300' : i % 3 === 1 ? 1700000000000 + i : String(42 + i),
        ...(i === 1 ? { priority: 9 } : {}),
        payload,
      }));
      items.push({ entityType: 'product', sourceEntityId: 'gone-1', operation: 'delete', version: 7, payload: { item_id: 'gone-1' } });

      const res = await post({ items });
      expect(res.statusCode).toBe(202);
      const body = res.json();
      expect(body).toEqual({ syncRunId: expect.any(Number), queueItemIds: expect.any(Array) });
      expect(body.queueItemIds).toHaveLength(items.length);

      const rows = await sql<Record<string, unknown>>(
        `SELECT id::float8 AS id, source, sync_run_id::float8 AS "syncRunId", inbox_event_id AS "inboxEventId",
                entity_type AS "entityType", source_entity_id AS "sourceEntityId", operation, version::float8 AS version,
                payload, priority, status, attempt, max_attempts AS "maxAttempts", next_attempt_at <= now() AS due
         FROM tds_sync_queue WHERE id = ANY ($1::bigint[]) ORDER BY id`,
        [body.queueItemIds],
      );
      expect(rows.map((r) => r.id)).toEqual(body.queueItemIds);
      rows.forEach((row, i) => {
        const item = items[i];
        expect(row).toEqual({
          id: body.queueItemIds[i],
          source: 'zoho',
          syncRunId: body.syncRunId,
          inboxEventId: null,
          entityType: item.entityType,
          sourceEntityId: item.sourceEntityId,
          operation: item.operation,
          version: typeof item.version === 'number' ? item.version : item.version.includes('T') ? ZOHO_VERSION_MS : Number(item.version),
          payload: item.payload, // verbatim, extra fields included
          priority: i === 1 ? 9 : 5,
          status: 'pending',
          attempt: 0,
          maxAttempts: { invoice: 3, stock_level: 8 }[item.entityType] ?? 5,
          due: true,
        });
      });

      const [run] = await sql(
        `SELECT kind, source, entity_type AS "entityType", status, total, processed, started_at IS NOT NULL AS started
         FROM tds_sync_runs WHERE id = $1`,
        [body.syncRunId],
      );
      expect(run).toEqual({ kind: 'bulk', source: 'zoho', entityType: null, status: 'running', total: items.length, processed: 0, started: true });
      // Bulk enqueue writes no inbox rows.
      expect((await countRows(testApp.app)).inbox).toBe(0);
    });

    it('names the run after the entity type when all items share one, and takes an explicit source', async () => {
      const res = await post({ source: 'erp_next', items: [productItem(1), productItem(2)] });
      expect(res.statusCode).toBe(202);
      const [run] = await sql(`SELECT source, entity_type AS "entityType", total FROM tds_sync_runs WHERE id = $1`, [res.json().syncRunId]);
      expect(run).toEqual({ source: 'erp_next', entityType: 'product', total: 2 });
      const sources = await sql<{ source: string }>(`SELECT DISTINCT source FROM tds_sync_queue WHERE sync_run_id = $1`, [res.json().syncRunId]);
      expect(sources).toEqual([{ source: 'erp_next' }]);
    });

    it('keeps extra payload fields verbatim, nested ones and unicode included', async () => {
      const base = productItem(3);
      const payload = {
        ...base.payload,
        cf_region: 'البصرة',
        x_nested: { a: [1, { b: null }], emoji: '📦', quote: 'say "hi" \\u0000 literally' },
        big_number: 12345678901234,
        empty: {},
      };
      const res = await post({ items: [{ ...base, payload }] });
      expect(res.statusCode).toBe(202);
      const [row] = await sql<{ payload: unknown; same: boolean }>(
        `SELECT payload, payload = $2::jsonb AS same FROM tds_sync_queue WHERE id = $1`,
        [res.json().queueItemIds[0], JSON.stringify(payload)],
      );
      expect(row).toEqual({ payload, same: true });
    });

    it('takes 1,000 items in a body over the default 1 MiB limit (the bulk route has its own)', async () => {
      const items = Array.from({ length: 1000 }, (_, i) =>
        productItem(10_000 + i, { payload: { ...productItem(10_000 + i).payload, notes: 'n'.repeat(1200) } }),
      );
      const body = JSON.stringify({ items });
      expect(body.length).toBeGreaterThan(1024 * 1024 + 1);
      const res = await post(body, { raw: true });
      expect(res.statusCode).toBe(202);
      const { queueItemIds } = res.json();
      expect(queueItemIds).toHaveLength(1000);
      expect([...queueItemIds].sort((a: number, b: number) => a - b)).toEqual(queueItemIds);
      const stored = await sql<{ id: string }>(`SELECT source_entity_id AS id FROM tds_sync_queue WHERE id = ANY ($1::bigint[]) ORDER BY id`, [queueItemIds]);
      expect(stored.map((r) => r.id)).toEqual(items.map((i) => i.sourceEntityId));
    });

    it('wakes the workers: a tds_queue notification arrives at commit', async () => {
      let notified!: () => void;
      const notification = new Promise<void>((resolve) => (notified = resolve));
      const unlisten = await testApp.app.get(DbNotifier).listen('tds_queue', () => notified());
      try {
        expect((await post({ items: [productItem(4)] })).statusCode).toBe(202);
        await notification;
      } finally {
        await unlisten();
      }
    });
  });

  describe('Idempotency-Key', () => {
    const runs = async () => (await countRows(testApp.app)).runs;

    it('a retry with the same key and body gets the first response and enqueues nothing', async () => {
      const body = { items: [productItem(20), productItem(21)] };
      const first = await post(body, { headers: { 'idempotency-key': 'retry-1' } });
      expect(first.statusCode).toBe(202);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const before = await countRows(testApp.app);

      // the same request, keys reordered and the default priority spelled out
      const reordered = { items: body.items.map(({ payload, version, ...rest }) => ({ payload, priority: 5, version, ...rest })) };
      for (const retry of [body, reordered]) {
        const again = await post(retry, { headers: { 'idempotency-key': 'retry-1' } });
        expect(again.statusCode).toBe(202);
        expect(again.json()).toEqual(first.json());
        expect(again.headers['idempotent-replayed']).toBe('true');
      }
      expect(await countRows(testApp.app)).toEqual(before);
    });

    it('the same key with a different body → 422 QUEUE.IDEMPOTENCY_KEY_REUSED, nothing stored', async () => {
      expect((await post({ items: [productItem(30)] }, { headers: { 'idempotency-key': 'reused' } })).statusCode).toBe(202);
      const before = await countRows(testApp.app);
      const res = await post({ items: [productItem(31)] }, { headers: { 'idempotency-key': 'reused' } });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ statusCode: 422, error: 'QUEUE.IDEMPOTENCY_KEY_REUSED' });
      expect(await countRows(testApp.app)).toEqual(before);
    });

    it('keys are per API key', async () => {
      const body = { items: [productItem(40)] };
      const a = await post(body, { headers: { 'idempotency-key': 'shared-name' } });
      const b = await post(body, { key: KEYS.operator, headers: { 'idempotency-key': 'shared-name' } });
      expect([a.statusCode, b.statusCode]).toEqual([202, 202]);
      expect(b.json().syncRunId).not.toBe(a.json().syncRunId);
    });

    it('concurrent requests with one key enqueue once', async () => {
      const before = await runs();
      const body = { items: [productItem(50), productItem(51)] };
      const responses = await Promise.all(Array.from({ length: 8 }, () => post(body, { headers: { 'idempotency-key': 'race' } })));
      expect(responses.map((r) => r.statusCode)).toEqual(Array(8).fill(202));
      const bodies = new Set(responses.map((r) => r.body));
      expect(bodies.size).toBe(1);
      expect(responses.filter((r) => r.headers['idempotent-replayed'] === undefined)).toHaveLength(1);
      expect(await runs()).toBe(before + 1);
    });

    it('a key older than 24 h is treated as new', async () => {
      const first = await post({ items: [productItem(60)] }, { headers: { 'idempotency-key': 'old' } });
      await sql(`UPDATE tds_idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'old'`);
      const second = await post({ items: [productItem(61)] }, { headers: { 'idempotency-key': 'old' } });
      expect(second.statusCode).toBe(202);
      expect(second.json().syncRunId).not.toBe(first.json().syncRunId);
      expect(second.headers['idempotent-replayed']).toBeUndefined();
      const third = await post({ items: [productItem(61)] }, { headers: { 'idempotency-key': 'old' } });
      expect(third.json()).toEqual(second.json());
    });
  });

  describe('GET /api/tds/queue/:id', () => {
    it('shows one item: status, attempts, errors, applied version', async () => {
      const { queueItemIds, syncRunId } = (await post({ items: [productItem(70, { priority: 7 })] })).json();
      const id = queueItemIds[0];
      const res = await get(`/api/tds/queue/${id}`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        id,
        source: 'zoho',
        entityType: 'product',
        sourceEntityId: 'item-70',
        operation: 'update',
        version: ZOHO_VERSION_MS,
        priority: 7,
        status: 'pending',
        attempt: 0,
        maxAttempts: 5,
        lastError: null,
        errorCode: null,
        nextAttemptAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
        startedAt: null,
        completedAt: null,
        syncRunId,
        inboxEventId: null,
        appliedVersion: null,
      });

      await sql(`UPDATE tds_sync_queue SET status = 'retry', attempt = 1, last_error = 'timeout', error_code = 'TRANSIENT' WHERE id = $1`, [id]);
      expect((await get(`/api/tds/queue/${id}`)).json()).toMatchObject({ status: 'retry', attempt: 1, lastError: 'timeout', errorCode: 'TRANSIENT', appliedVersion: null });
      for (const status of ['completed', 'unchanged']) {
        await sql(`UPDATE tds_sync_queue SET status = $2, started_at = now(), completed_at = now() WHERE id = $1`, [id, status]);
        expect((await get(`/api/tds/queue/${id}`)).json()).toMatchObject({ status, appliedVersion: ZOHO_VERSION_MS, completedAt: expect.any(String) });
      }
      await sql(`UPDATE tds_sync_queue SET status = 'superseded' WHERE id = $1`, [id]);
      expect((await get(`/api/tds/queue/${id}`)).json()).toMatchObject({ status: 'superseded', appliedVersion: null });
    });

    it('404 QUEUE.ITEM_NOT_FOUND for an id that does not exist', async () => {
      const res = await get('/api/tds/queue/987654321');
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ statusCode: 404, error: 'QUEUE.ITEM_NOT_FOUND', message: 'Queue item 987654321 does not exist' });
    });

    it('a malformed id is a 422 with a code, never a 500', async () => {
      for (const id of ['abc', '0', '-1', '1.5', '99999999999999999999', '%20', 'NaN', 'Infinity']) {
        const res = await get(`/api/tds/queue/${id}`);
        expect(res.statusCode).toBe(422);
        expect(res.json()).toEqual({
          statusCode: 422,
          error: 'VALIDATION_FAILED',
          message: expect.any(String),
          details: [{ path: 'id', message: 'id must be a positive integer' }],
        });
      }
    });
  });

  describe('GET /api/tds/queue/stats', () => {
    it('counts per status, due now, and the age of the oldest pending item', async () => {
      const { queueItemIds } = (await post({ items: [productItem(80), productItem(81), productItem(82)] })).json();
      await sql(`UPDATE tds_sync_queue SET status = 'retry', next_attempt_at = now() + interval '1 hour' WHERE id = $1`, [queueItemIds[0]]);
      await sql(`UPDATE tds_sync_queue SET status = 'dead_letter' WHERE id = $1`, [queueItemIds[1]]);
      await sql(`UPDATE tds_sync_queue SET created_at = now() - interval '90 seconds' WHERE id = $1`, [queueItemIds[2]]);

      const res = await get('/api/tds/queue/stats');
      expect(res.statusCode).toBe(200);
      const expected = await sql<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM tds_sync_queue GROUP BY status`);
      const [{ due }] = await sql<{ due: number }>(
        `SELECT count(*)::int AS due FROM tds_sync_queue WHERE status IN ('pending', 'retry') AND next_attempt_at <= now()`,
      );
      const stats = res.json();
      expect(stats.byStatus).toEqual({
        pending: 0, processing: 0, completed: 0, retry: 0, dead_letter: 0, superseded: 0, unchanged: 0, cancelled: 0,
        ...Object.fromEntries(expected.map((r) => [r.status, r.n])),
      });
      expect(stats.byStatus.retry).toBeGreaterThanOrEqual(1);
      expect(stats.dueNow).toBe(due);
      expect(stats.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(90);
      expect(stats.oldestPendingAgeSeconds).toBeLessThan(3600);
    });
  });

  describe('auth matrix', () => {
    const keys = { none: null, bad: 'not-a-key', viewer: KEYS.viewer, service: KEYS.service, operator: KEYS.operator, admin: KEYS.admin };
    const expected = {
      post: { none: 401, bad: 401, viewer: 403, service: 202, operator: 202, admin: 202 },
      get: { none: 401, bad: 401, viewer: 200, service: 200, operator: 200, admin: 200 },
    };
    let itemId: number;
    beforeAll(async () => {
      itemId = (await post({ items: [productItem(90)] })).json().queueItemIds[0];
    });

    it.each(Object.keys(keys) as (keyof typeof keys)[])('%s key', async (who) => {
      const posted = await post({ items: [productItem(91)] }, { key: keys[who] });
      expect(posted.statusCode).toBe(expected.post[who]);
      for (const url of [`/api/tds/queue/${itemId}`, '/api/tds/queue/stats']) {
        expect((await get(url, keys[who])).statusCode).toBe(expected.get[who]);
      }
      if (expected.post[who] === 401) expect(posted.json().error).toMatch(/^AUTH\.(MISSING|INVALID)_API_KEY$/);
      if (expected.post[who] === 403) expect(posted.json().error).toBe('AUTH.INSUFFICIENT_ROLE');
    });
  });

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await get('/api/docs-json', null)).json();
    expect(doc.paths['/api/tds/queue'].post).toMatchObject({ tags: ['queue'], responses: expect.objectContaining({ 202: expect.anything(), 422: expect.anything() }) });
    expect(doc.paths['/api/tds/queue/{id}'].get.responses['200']).toBeDefined();
    expect(doc.paths['/api/tds/queue/stats'].get.responses['200']).toBeDefined();
    expect(doc.components.schemas.EnqueueItemDto.required).toEqual(expect.arrayContaining(['entityType', 'sourceEntityId', 'operation', 'version', 'payload']));
  });
});
