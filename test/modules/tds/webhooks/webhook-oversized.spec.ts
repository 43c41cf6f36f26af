import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigService } from '@nestjs/config';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { INSERT_INBOX_GROUP_SQL } from '../../../../src/modules/tds/commands/ingest-webhook/ingest-webhook.sql.js';
import { EntityProcessorRegistry } from '../../../../src/modules/tds/processors/entity-processor.registry.js';
import { ingestConfig } from '../../../../src/shared/config/ingest.config.js';
import { queryRows } from '../../../../src/shared/database/sql.js';
import type { TestApp } from '../../../support/create-test-app.js';
import { createTestApp } from '../../../support/create-test-app.js';
import { eventually, freePort, spawnApp } from '../../../support/spawn-app.js';
import type { AppProcess } from '../../../support/spawn-app.js';
import { createTestDatabase, describePostgres, openTestDataSource } from '../../../support/test-database.js';
import type { TestDatabase } from '../../../support/test-database.js';
import { zohoInventoryAdjustment, zohoInvoice, zohoItem, zohoPricebook, zohoSalesOrder } from '../fixtures/zoho-payloads.js';
import { delivery, deliveryMapper, genericSource, zohoSource } from '../ingestion/webhook-test-kit.js';
import { deliver, KEYS, SECRETS, SIGNATURE_HEADER, sign, sql, webhookEnv } from './webhook-test-kit.js';

const MIB = 1024 * 1024;
const CAP_VARIABLE = 'TDS_INGEST_MAX_STOCK_LEVELS_PER_ITEM';
const ARRAY_VARIABLE = 'TDS_INGEST_MAX_ARRAY_ENTRIES';
/** TDS_INGEST_MAX_ARRAY_ENTRIES's default. */
const ARRAY_LIMIT = 1000;

/** A Zoho item listing `count` warehouses; entry keys out of order, as Zoho sends them, so hashing the body must sort them. */
function itemWith(count: number, overrides: Record<string, unknown> = {}) {
  const warehouses = Array.from({ length: count }, (_, i) => ({ warehouse_stock_on_hand: i % 97, warehouse_id: 35071 + i }));
  return { item: { ...zohoItem, ...overrides, warehouses } };
}

const capError = (count: number, cap: number) => ({
  path: 'item.warehouses',
  message: `item.warehouses has ${count} entries; an item may yield at most ${cap} stock levels (${CAP_VARIABLE})`,
});

/** `count` free-text invoice lines of ~24 bytes each (the smallest valid line), so 40,000 fit a 1 MiB body. */
function invoiceWith(count: number, overrides: Record<string, unknown> = {}) {
  const line_items = Array.from({ length: count }, (_, i) => ({ rate: i % 10, quantity: 1 }));
  return { ...zohoInvoice, ...overrides, line_items };
}

/** The one error for an array at `path` (its last segment is the property) holding more than `limit` entries. */
const limitError = (path: string, count: number, limit = ARRAY_LIMIT) => ({
  path,
  message: `${path.slice(path.lastIndexOf('.') + 1)} must hold at most ${limit} entries (it holds ${count})`,
});

/** A bulk enqueue item of the invoice. */
const bulkItem = (invoice: ReturnType<typeof invoiceWith>) => ({
  entityType: 'invoice',
  sourceEntityId: invoice.invoice_id,
  operation: 'update',
  version: invoice.last_modified_time,
  payload: invoice,
});

interface Answer {
  status: number;
  body: string;
}

function send(port: number, method: string, path: string, body?: string, headers: Record<string, string> = {}, timeoutMs = 15_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, timeout: timeoutMs }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** The process's resident memory now and at its peak so far, in MiB (Linux). */
function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

const EVENT_LOOP_PROBE = join(__dirname, '..', '..', '..', 'support', 'event-loop-probe.cjs');

/**
 * Issue 12: one request must not hold the event loop more than ~50 ms. Asserted with room for CI
 * (two cores shared by two Jest workers and the apps they spawn), yet well below what the code
 * before the bounds did: the ~1 MB requests below held it 15-51 ms alone and 22-77 ms beside
 * other suites, where a 40,000-line invoice held it 470-570 ms.
 */
const EVENT_LOOP_BOUND_MS = 250;

/**
 * A ~9.5 MB bulk enqueue is validated, hashed and stored in slices of ~10 ms, but its body is
 * read and parsed in one piece before any of our code runs (depth check, JSON.parse and the
 * garbage collection it brings): 96-143 ms alone, ~180 ms beside other suites. Still far below
 * the 4.0-4.2 s the same request held the loop before it was sliced.
 */
const BULK_EVENT_LOOP_BOUND_MS = 500;

/** Well under a second for a ~1 MB request: answered in 17-145 ms here; in 470-680 ms or never before the bounds. */
const ANSWER_BOUND_MS = 750;

/**
 * How much longer than the loop's longest hold one wait between two /health/live answers may be:
 * the poll's own 20 ms pause and its round trip, with room.
 */
const LIVENESS_ROOM_MS = 250;

/** The longest event loop delay the app saw since the previous call (event-loop-probe.cjs). */
async function longestEventLoopDelayMs(proc: AppProcess): Promise<number> {
  const reports = () => proc.output().match(/^event-loop-delay \S+$/gm) ?? [];
  const before = reports().length;
  proc.kill('SIGUSR2');
  const report = await eventually(() => {
    const all = reports();
    if (all.length === before) throw new Error('the app has not reported its event loop delay');
    return all[all.length - 1];
  }, 5_000, 10);
  return (JSON.parse(report.slice('event-loop-delay '.length)) as { maxMs: number }).maxMs;
}

/** GET /health/live every ~20 ms until stopped: answers, failures and the longest wait from one answer to the next. */
function pollLiveness(port: number) {
  let polling = true;
  let answered = 0;
  let failed = 0;
  let longestGapMs = 0;
  let last = performance.now();
  const done = (async () => {
    while (polling) {
      try {
        if ((await send(port, 'GET', '/health/live', undefined, {}, 5_000)).status === 200) answered++;
        else failed++;
      } catch {
        failed++;
      }
      const now = performance.now();
      longestGapMs = Math.max(longestGapMs, now - last);
      last = now;
      await sleep(20);
    }
  })();
  return {
    stop: async () => {
      polling = false;
      await done;
      return { answered, failed, longestGapMs };
    },
  };
}

/** An entry that fails the test if anything reads it. */
function untouchable(): Record<string, unknown> {
  return Object.defineProperty({}, 'item_id', {
    enumerable: true,
    get: () => {
      throw new Error('an entry over the limit was read');
    },
  });
}

describe(`the limit on the entries of a payload's arrays (${ARRAY_VARIABLE})`, () => {
  const registry = new EntityProcessorRegistry();
  const nested: [entityType: string, property: string, payload: Record<string, unknown>, entry: (i: number) => Record<string, unknown>][] = [
    ['invoice', 'line_items', zohoInvoice, (i) => ({ rate: i, quantity: 1 })],
    ['sales_order', 'line_items', zohoSalesOrder, (i) => ({ rate: i, quantity: 1 })],
    ['price_list', 'pricebook_items', zohoPricebook, (i) => ({ item_id: `item-${i}`, pricebook_rate: 1 })],
    ['inventory_adjustment', 'line_items', zohoInventoryAdjustment, (i) => ({ item_id: `item-${i}`, quantity_adjusted: -1 })],
    ['product', 'warehouses', zohoItem, (i) => ({ warehouse_id: `warehouse-${i}`, warehouse_stock_on_hand: 1 })],
  ];

  it.each(nested)('%s: accepts %s at the limit; one more entry is one error, and none of the entries is read', (entityType, property, payload, entry) => {
    const processor = registry.get(entityType);
    const atLimit = Array.from({ length: ARRAY_LIMIT }, (_, i) => entry(i));
    expect(processor.validate({ ...payload, [property]: atLimit }, 'update')).toEqual([]);
    const over = Array.from({ length: ARRAY_LIMIT + 1 }, untouchable);
    expect(processor.validate({ ...payload, [property]: over }, 'update')).toEqual([limitError(property, ARRAY_LIMIT + 1)]);
  });

  it('still checks the rest of the payload, and the array itself', () => {
    const invoice = { ...zohoInvoice, total: 'many', line_items: Array.from({ length: ARRAY_LIMIT + 1 }, untouchable) };
    expect(registry.get('invoice').validate(invoice, 'update').map((error) => error.path)).toEqual(['total', 'line_items']);
    expect(registry.get('invoice').validate({ ...zohoInvoice, line_items: 'many' }, 'update')).toContainEqual({
      path: 'line_items',
      message: 'line_items must be an array',
    });
  });

  it('does not refuse a delete for its arrays: a delete reads only its keys', () => {
    const invoice = { ...zohoInvoice, line_items: Array.from({ length: ARRAY_LIMIT + 1 }, untouchable) };
    expect(registry.get('invoice').validate(invoice, 'delete')).toEqual([]);
  });

  it('refuses a Zoho invoice of 40,000 lines at once, its other fields checked', () => {
    const mapper = deliveryMapper();
    const started = performance.now();
    const result = mapper.map(delivery(zohoSource(), { invoice: invoiceWith(40_000, { invoice_number: '' }) }));
    const ms = performance.now() - started;
    expect(result).toMatchObject({
      ok: false,
      errors: [{ path: 'invoice.invoice_number', message: expect.any(String) }, limitError('invoice.line_items', 40_000)],
    });
    // The mapping is synchronous: its duration is how long it holds the event loop.
    expect(ms).toBeLessThan(EVENT_LOOP_BOUND_MS);
  });

  it('applies to the payload of a generic delivery', () => {
    const result = deliveryMapper().map(delivery(genericSource(), bulkItem(invoiceWith(ARRAY_LIMIT + 1))));
    expect(result).toEqual({ ok: false, errors: [limitError('payload.line_items', ARRAY_LIMIT + 1)], primary: expect.anything() });
  });

  it('is configurable', () => {
    const small = new EntityProcessorRegistry(new ConfigService({ ingest: { ...ingestConfig(), maxArrayEntries: 5 } })).get('invoice');
    expect(small.validate(invoiceWith(5), 'update')).toEqual([]);
    expect(small.validate(invoiceWith(6), 'update')).toEqual([limitError('line_items', 6, 5)]);
  });

  it.each(['0', '100001', 'many'])('refuses %s as the limit, naming the variable', (value) => {
    process.env[ARRAY_VARIABLE] = value;
    try {
      expect(() => ingestConfig()).toThrow(ARRAY_VARIABLE);
    } finally {
      delete process.env[ARRAY_VARIABLE];
    }
  });
});

describe('the Zoho mapper at the stock level cap', () => {
  it('reads each warehouse entry once: the stock level rules validate it, not the item rules too', () => {
    let reads = 0;
    const entries = Array.from({ length: 1000 }, (_, i) =>
      Object.defineProperty({ warehouse_stock_on_hand: 1 }, 'warehouse_id', {
        enumerable: true,
        get: () => {
          reads++;
          return 35071 + i;
        },
      }),
    );
    const incoming = delivery(zohoSource(), { item: { ...zohoItem, warehouses: entries } });
    reads = 0; // the raw body's JSON read each entry already
    const result = deliveryMapper().map(incoming);
    expect(result.ok && result.delivery.items).toHaveLength(1001);
    expect(reads).toBe(1000);
  });

  it('reports an entry that is not an object', () => {
    const result = deliveryMapper().map(delivery(zohoSource(), { item: { ...zohoItem, warehouses: [zohoItem.warehouses[0], 7] } }));
    expect(result).toMatchObject({ ok: false, errors: [{ path: 'item.warehouses[1]', message: 'item.warehouses[1] must be a JSON object' }] });
  });

  it('reports each problem of each warehouse entry once', () => {
    const entries = Array.from({ length: 1000 }, (_, i) => ({ warehouse_name: `W${i}` }));
    const result = deliveryMapper().map(delivery(zohoSource(), { item: { ...zohoItem, warehouses: entries } }));
    expect(result.ok).toBe(false);
    const reported = (result.ok ? [] : result.errors).map((error) => `${error.path}: ${error.message}`);
    const expected = entries.flatMap((_, i) => [
      `item.warehouses[${i}].warehouse_id: warehouse_id is required`,
      `item.warehouses[${i}].warehouse_stock_on_hand: warehouse_stock_on_hand must be a number conforming to the specified constraints`,
    ]);
    expect(reported).toHaveLength(expected.length);
    expect(new Set(reported)).toEqual(new Set(expected));
  });
});

/**
 * The built app as its own process with the default limits (1,000 stock levels per item, 1,000
 * entries per array), so that its memory and its event loop are its own: a ~1 MB item of 20,000
 * warehouses or invoice of 40,000 lines must be refused quickly and cheaply while the app keeps
 * answering, and deliveries at the limits are accepted.
 */
describePostgres('oversized deliveries and payloads, the built app as its own process', () => {
  let database: TestDatabase;
  let proc: AppProcess;
  let port: number;
  let db: Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    port = await freePort();
    proc = spawnApp({
      ...webhookEnv,
      DATABASE_URL: database.url,
      PORT: String(port),
      TDS_WORKERS_ENABLED: 'false',
      TDS_JOBS_ENABLED: 'false',
      NODE_OPTIONS: `--require ${EVENT_LOOP_PROBE}`,
    });
    await eventually(async () => expect((await send(port, 'GET', '/health/live')).status).toBe(200), 60_000);
    db = new Client({ connectionString: database.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    proc?.kill('SIGKILL');
    await proc?.exited;
    await database?.drop();
  });

  const post = (body: string) =>
    send(port, 'POST', '/api/tds/webhooks/zoho', body, { 'content-type': 'application/json', [SIGNATURE_HEADER.zoho]: sign(body, SECRETS.zoho) });

  const enqueue = (body: string, headers: Record<string, string> = {}, timeoutMs?: number) =>
    send(port, 'POST', '/api/tds/queue', body, { 'content-type': 'application/json', authorization: `Bearer ${KEYS.service}`, ...headers }, timeoutMs);

  /** One request, watched: its answer and duration, the app's memory growth and longest event loop delay, /health/live meanwhile. */
  async function watched(request: () => Promise<Answer>) {
    const rssBefore = memoryMb(proc.pid).rss;
    await longestEventLoopDelayMs(proc);
    const liveness = pollLiveness(port);
    await sleep(60);
    const started = performance.now();
    const answer = await request();
    const ms = performance.now() - started;
    await sleep(60);
    return {
      answer,
      ms,
      liveness: await liveness.stop(),
      growthMb: memoryMb(proc.pid).peak - rssBefore,
      eventLoopMaxMs: await longestEventLoopDelayMs(proc),
    };
  }

  it('refuses a signed ~1 MB item of 20,000 warehouses with a 422 naming the limit, within a second, memory flat, /health/live answering throughout', async () => {
    const body = JSON.stringify(itemWith(20_000));
    expect(body.length).toBeGreaterThan(0.9 * MIB);
    expect(body.length).toBeLessThan(MIB);

    const { answer, ms, liveness, growthMb, eventLoopMaxMs } = await watched(() => post(body));
    expect(answer.status).toBe(422);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'VALIDATION_FAILED', details: [capError(20_000, 1000)] });
    expect(ms).toBeLessThan(ANSWER_BOUND_MS);
    expect(growthMb).toBeLessThan(200);
    expect(liveness.failed).toBe(0);
    expect(liveness.answered).toBeGreaterThanOrEqual(3);
    expect(liveness.longestGapMs).toBeLessThan(EVENT_LOOP_BOUND_MS + LIVENESS_ROOM_MS);
    expect(eventLoopMaxMs).toBeLessThan(EVENT_LOOP_BOUND_MS);

    // Kept for audit like any refused delivery, whole, and nothing queued; a redelivery is refused again.
    const { rows } = await db.query(
      `SELECT status, validation_errors AS "validationErrors", octet_length(raw_payload::text) AS bytes,
              (SELECT count(*)::int FROM tds_sync_queue) AS queued
       FROM tds_inbox_events`,
    );
    expect(rows).toEqual([{ status: 'invalid', validationErrors: [capError(20_000, 1000)], bytes: expect.any(Number), queued: 0 }]);
    expect(rows[0].bytes).toBeGreaterThan(0.9 * MIB);
    const again = await post(body);
    expect(again.status).toBe(422);
    expect(JSON.parse(again.body).details).toEqual([capError(20_000, 1000)]);
  });

  it('accepts an item at the default cap, 1,000 warehouses: 1,001 queue items, quickly and without stalling the running app; one more is refused', async () => {
    // Running: the first items at the cap after start-up are validated by class-validator code the
    // JIT has not compiled yet, two to three times slower than what follows.
    for (const id of ['4815000000099001', '4815000000099002']) {
      expect((await post(JSON.stringify(itemWith(1000, { item_id: id })))).status).toBe(202);
    }
    const body = JSON.stringify(itemWith(1000, { item_id: '4815000000099003' }));
    const { answer, ms, liveness, eventLoopMaxMs } = await watched(() => post(body));
    expect(answer.status).toBe(202);
    expect(JSON.parse(answer.body).queueItemIds).toHaveLength(1001);
    expect(ms).toBeLessThan(ANSWER_BOUND_MS);
    expect(liveness.failed).toBe(0);
    expect(eventLoopMaxMs).toBeLessThan(EVENT_LOOP_BOUND_MS);

    const over = await post(JSON.stringify(itemWith(1001, { item_id: '4815000000099004' })));
    expect(over.status).toBe(422);
    expect(JSON.parse(over.body).details).toEqual([capError(1001, 1000)]);
  });

  it('refuses a signed ~960 KB invoice of 40,000 lines with a 422 naming the limit, holding the event loop ~50 ms at most', async () => {
    const body = JSON.stringify({ invoice: invoiceWith(40_000, { invoice_id: '460000000099001' }) });
    expect(body.length).toBeGreaterThan(0.9 * MIB);
    expect(body.length).toBeLessThan(MIB);

    const { answer, ms, liveness, eventLoopMaxMs } = await watched(() => post(body));
    expect(answer.status).toBe(422);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'VALIDATION_FAILED', details: [limitError('invoice.line_items', 40_000)] });
    expect(ms).toBeLessThan(ANSWER_BOUND_MS);
    expect(liveness.failed).toBe(0);
    expect(eventLoopMaxMs).toBeLessThan(EVENT_LOOP_BOUND_MS);
  });

  it('accepts an invoice at the limit, 1,000 lines, through a webhook and a bulk enqueue; one more line is refused by both', async () => {
    const atLimit = invoiceWith(ARRAY_LIMIT, { invoice_id: '460000000099002' });
    expect((await post(JSON.stringify({ invoice: atLimit }))).status).toBe(202);
    const enqueued = await enqueue(JSON.stringify({ items: [bulkItem({ ...atLimit, invoice_id: '460000000099003' })] }));
    expect(enqueued.status).toBe(202);

    const over = invoiceWith(ARRAY_LIMIT + 1, { invoice_id: '460000000099004' });
    const refused = await post(JSON.stringify({ invoice: over }));
    expect(refused.status).toBe(422);
    expect(JSON.parse(refused.body).details).toEqual([limitError('invoice.line_items', ARRAY_LIMIT + 1)]);
    const refusedBulk = await enqueue(JSON.stringify({ items: [bulkItem(invoiceWith(1)), bulkItem(over)] }));
    expect(refusedBulk.status).toBe(422);
    expect(JSON.parse(refusedBulk.body).details).toEqual([limitError('items[1].payload.line_items', ARRAY_LIMIT + 1)]);
  });

  it('refuses a bulk enqueue item whose payload holds 40,000 lines, holding the event loop ~50 ms at most', async () => {
    const body = JSON.stringify({ items: [bulkItem(invoiceWith(40_000, { invoice_id: '460000000099005' }))] });
    const { answer, ms, liveness, eventLoopMaxMs } = await watched(() => enqueue(body));
    expect(answer.status).toBe(422);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'VALIDATION_FAILED', details: [limitError('items[0].payload.line_items', 40_000)] });
    expect(ms).toBeLessThan(ANSWER_BOUND_MS);
    expect(liveness.failed).toBe(0);
    expect(eventLoopMaxMs).toBeLessThan(EVENT_LOOP_BOUND_MS);
  });

  it('accepts a ~9.5 MB bulk enqueue of 400 invoices of 1,000 lines, with an Idempotency-Key, without holding the event loop: /health/live answering throughout', async () => {
    const invoices = Array.from({ length: 400 }, (_, i) => invoiceWith(ARRAY_LIMIT, { invoice_id: `4600000001${String(i).padStart(5, '0')}` }));
    const body = JSON.stringify({ items: invoices.map(bulkItem) });
    expect(body.length).toBeGreaterThan(9 * MIB);
    expect(body.length).toBeLessThan(10 * MIB);

    // Seconds of validation on a busy machine: the answer is allowed its time, the event loop is not held meanwhile.
    const { answer, liveness, eventLoopMaxMs } = await watched(() => enqueue(body, { 'idempotency-key': 'bulk-400-invoices' }, 60_000));
    expect(answer.status).toBe(202);
    const { syncRunId, queueItemIds } = JSON.parse(answer.body) as { syncRunId: number; queueItemIds: number[] };
    expect(queueItemIds).toHaveLength(400);
    expect(liveness.failed).toBe(0);
    expect(liveness.answered).toBeGreaterThanOrEqual(10);
    expect(liveness.longestGapMs).toBeLessThan(BULK_EVENT_LOOP_BOUND_MS + LIVENESS_ROOM_MS);
    expect(eventLoopMaxMs).toBeLessThan(BULK_EVENT_LOOP_BOUND_MS);

    const { rows } = await db.query(
      `SELECT count(*)::int AS queued, min(jsonb_array_length(payload->'line_items'))::int AS lines
       FROM tds_sync_queue WHERE sync_run_id = $1`,
      [syncRunId],
    );
    expect(rows).toEqual([{ queued: 400, lines: ARRAY_LIMIT }]);
  });
});

describePostgres('the stock level cap, set small (TDS_INGEST_MAX_STOCK_LEVELS_PER_ITEM=50)', () => {
  let database: TestDatabase;
  let testApp: TestApp;
  const env = () => ({ ...webhookEnv, DATABASE_URL: database.url, TDS_WORKERS_ENABLED: 'false', [CAP_VARIABLE]: '50' });

  beforeAll(async () => {
    database = await createTestDatabase();
    testApp = await createTestApp(env());
  });
  afterAll(async () => {
    await testApp?.close();
    await database?.drop();
  });

  it('accepts an item with exactly the cap of warehouses: the product, then one stock level per entry, in entry order', async () => {
    const body = itemWith(50, { item_id: '4815000000077001' });
    const res = await deliver(testApp.app, 'zoho', body);
    expect(res.statusCode).toBe(202);
    const { queueItemIds } = res.json() as { queueItemIds: number[] };
    expect(queueItemIds).toHaveLength(51);
    const queued = await sql<{ entityType: string; sourceEntityId: string }>(
      testApp.app,
      `SELECT entity_type AS "entityType", source_entity_id AS "sourceEntityId" FROM tds_sync_queue WHERE id = ANY ($1::bigint[]) ORDER BY id`,
      [queueItemIds],
    );
    expect(queued).toEqual([
      { entityType: 'product', sourceEntityId: '4815000000077001' },
      ...body.item.warehouses.map((w) => ({ entityType: 'stock_level', sourceEntityId: `4815000000077001:${w.warehouse_id}` })),
    ]);
  });

  it('refuses one more with a 422 naming the limit and its variable, and queues nothing', async () => {
    const res = await deliver(testApp.app, 'zoho', itemWith(51, { item_id: '4815000000077002' }));
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ error: 'VALIDATION_FAILED', details: [capError(51, 50)] });
    const [row] = await sql<{ status: string; queued: number }>(
      testApp.app,
      `SELECT e.status, (SELECT count(*)::int FROM tds_sync_queue q WHERE q.inbox_event_id = e.id) AS queued
       FROM tds_inbox_events e WHERE e.source_entity_id = '4815000000077002'`,
    );
    expect(row).toEqual({ status: 'invalid', queued: 0 });
  });

  it('over the cap, reads none of the entries, yet still reports the rest of the item', async () => {
    const entries = Array.from({ length: 51 }, () => ({ warehouse_name: 42 }));
    const res = await deliver(testApp.app, 'zoho', { item: { ...zohoItem, item_id: '4815000000077003', name: '', warehouses: entries } });
    expect(res.statusCode).toBe(422);
    expect(res.json().details).toEqual([{ path: 'item.name', message: 'name must be a non-empty string' }, capError(51, 50)]);
  });

  it.each(['0', '100001', 'many'])('refuses to start with %s as the cap, naming the variable', async (value) => {
    await expect(createTestApp({ ...env(), [CAP_VARIABLE]: value })).rejects.toThrow(CAP_VARIABLE);
  });
});

interface PlanNode {
  'Node Type': string;
  'Sort Space Used'?: number;
  'Sort Space Type'?: string;
  Plans?: PlanNode[];
}

function sortsOf(node: PlanNode): PlanNode[] {
  return [...(node['Sort Space Used'] === undefined ? [] : [node]), ...(node.Plans ?? []).flatMap(sortsOf)];
}

/** One delivery of the group statement's JSON ($1), as InboxWriter writes it: the product's payload named by its key in the body. */
function groupRow(idempotencyKey: string, body: ReturnType<typeof itemWith>) {
  const id = body.item.item_id;
  const item = (entityType: string, sourceEntityId: string, payload: unknown) => ({
    source: 'zoho',
    inbox_event_id: null,
    sync_run_id: null,
    entity_type: entityType,
    source_entity_id: sourceEntityId,
    operation: 'update',
    version: 1,
    payload,
    priority: 5,
    max_attempts: 5,
  });
  return {
    source: 'zoho',
    entity_type: 'product',
    source_entity_id: id,
    operation: 'update',
    version: 1,
    idempotency_key: idempotencyKey,
    content_hash: 'test',
    raw_payload: body,
    headers: {},
    signature_verified: true,
    received_at: new Date().toISOString(),
    status: 'queued',
    validation_errors: null,
    replay_key: null,
    items: [
      { ...item('product', id, null), payload_key: 'item' },
      ...body.item.warehouses.map((w) => item('stock_level', `${id}:${w.warehouse_id}`, { ...w, item_id: id })),
    ],
  };
}

describePostgres('storing a delivery of many items (INSERT_INBOX_GROUP_SQL)', () => {
  let db: DataSource;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ dataSource: db, close } = await openTestDataSource('postgres'));
  });
  afterAll(async () => close?.());

  it("sorts the delivery's body once, not once per item: a 350 KB item of 1,000 warehouses sorts in memory", async () => {
    const body = itemWith(1000, { description: 'x'.repeat(300_000) });
    const runner = db.createQueryRunner();
    await runner.startTransaction();
    let plan: PlanNode;
    try {
      const [row] = await queryRows<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
        runner,
        `EXPLAIN (ANALYZE, FORMAT JSON) ${INSERT_INBOX_GROUP_SQL.text}`,
        [JSON.stringify([groupRow('explained', body)]), 0],
      );
      plan = row['QUERY PLAN'][0].Plan;
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    const sorts = sortsOf(plan);
    expect(sorts.length).toBeGreaterThan(0);
    expect(sorts.filter((sort) => sort['Sort Space Type'] !== 'Memory')).toEqual([]);
    const bodyKb = JSON.stringify(body).length / 1024;
    expect(Math.max(...sorts.map((sort) => sort['Sort Space Used'] as number))).toBeLessThan(3 * bodyKb);
  });

  it('queues items in delivery order, then item order, whatever the order of the keys', async () => {
    const first = itemWith(3, { item_id: '4815000000066001' });
    const second = itemWith(2, { item_id: '4815000000066002' });
    // The inbox rows go in key order: the second delivery's row is inserted first.
    await queryRows(db, INSERT_INBOX_GROUP_SQL, [JSON.stringify([groupRow('order-b', first), groupRow('order-a', second)]), 0]);
    const queued = await queryRows<{ sourceEntityId: string; payload: unknown }>(
      db,
      `SELECT source_entity_id AS "sourceEntityId", payload FROM tds_sync_queue WHERE source_entity_id LIKE '481500000006600%' ORDER BY id`,
    );
    expect(queued.map((row) => row.sourceEntityId)).toEqual([
      '4815000000066001',
      '4815000000066001:35071',
      '4815000000066001:35072',
      '4815000000066001:35073',
      '4815000000066002',
      '4815000000066002:35071',
      '4815000000066002:35072',
    ]);
    expect(queued[0].payload).toEqual(first.item);
  });
});
