import { CommandBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { RETRY_JOB_ACTOR } from '../../../src/modules/tds/domain/queue-item.js';
import { ReplayDeadLetterCommand } from '../../../src/modules/tds/public.js';
import { createTestApp, type TestApp } from '../../support/create-test-app.js';
import { productPayload, rows, waitUntilDrained } from '../../support/queue-fixtures.js';
import { createTestDatabase, describePostgres, type TestDatabase } from '../../support/test-database.js';
import { KEYS, postQueue, productItem } from './enqueue/enqueue-test-kit.js';

const OLDER_VERSION = '2025-11-17T02:02:51+0300';
// The products the faults name (TDS_TEST_FAULTS below): sourceEntityId item-<n>.
const FLAKY = 90; // transient twice, then applies
const POISON = 91; // transient until its attempts run out
const BROKEN = 92; // permanent: dead letter at once

interface Totals {
  received: number;
  applied: number;
  unchanged: number;
  superseded: number;
  failed: number;
  retried: number;
  dead_lettered: number;
  latency_sum_ms: number;
  latency_max_ms: number;
}

/**
 * The per-minute buckets are written by the statements that enqueue and apply, not by a second
 * pass: after a known workload, their sums must equal what the queue, its attempt log and the
 * dead letters say happened.
 */
describePostgres('metric buckets written with the batches', () => {
  let database: TestDatabase;
  let testApp: TestApp;
  let db: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    testApp = await createTestApp({
      DATABASE_URL: database.url,
      TDS_WORKER_COUNT: '2',
      TDS_BATCH_SIZE: '7',
      TDS_POLL_INTERVAL_MS: '20',
      TDS_BATCH_LINGER_MS: '0',
      TDS_BACKOFF_BASE_MS: '5',
      TDS_BACKOFF_CAP_MS: '20',
      TDS_MAX_ATTEMPTS: '3',
      TDS_API_KEYS: Object.entries(KEYS).map(([role, key]) => `${role}:${key}`).join(','),
      TDS_TEST_FAULTS: `transient:item-${FLAKY}:2;transient:item-${POISON};permanent:item-${BROKEN}`,
    });
    db = testApp.app.get(DataSource);
  });
  afterAll(async () => {
    await testApp?.close();
    await database?.drop();
  });

  // The kit has no customer item.
  const customerItem = (n: number) => ({
    entityType: 'customer',
    sourceEntityId: `c-${n}`,
    operation: 'update',
    version: 1,
    payload: { contact_id: `c-${n}`, contact_name: `Customer c-${n}` },
  });

  async function enqueue(items: unknown[]): Promise<void> {
    const response = await postQueue(testApp.app, { source: 'zoho', items });
    if (response.statusCode !== 202) throw new Error(response.body);
  }

  const bucketTotals = async (entityType: string) =>
    (
      await rows<Totals>(
        db,
        `SELECT sum(received)::int AS received, sum(applied)::int AS applied, sum(unchanged)::int AS unchanged,
                sum(superseded)::int AS superseded, sum(failed)::int AS failed, sum(retried)::int AS retried,
                sum(dead_lettered)::int AS dead_lettered, sum(latency_sum_ms)::int AS latency_sum_ms,
                max(latency_max_ms)::int AS latency_max_ms
         FROM tds_metrics WHERE source = 'zoho' AND entity_type = $1`,
        [entityType],
      )
    )[0];

  it('sums to the queue outcomes, attempts and dead letters of a known workload, per entity type', async () => {
    await enqueue([
      ...Array.from({ length: 20 }, (_, i) => productItem(i)),
      productItem(0), // same content again: unchanged
      productItem(1, { version: OLDER_VERSION }), // older: superseded
      productItem(FLAKY), // fails twice, then applies
      productItem(POISON), // transient until its attempts run out
      productItem(BROKEN), // permanent: dead letter at once
    ]);
    await enqueue(Array.from({ length: 5 }, (_, i) => customerItem(i)));
    await waitUntilDrained(db);

    const [product] = await rows<Totals>(
      db,
      `SELECT count(*)::int AS received,
              count(*) FILTER (WHERE status = 'completed')::int AS applied,
              count(*) FILTER (WHERE status = 'unchanged')::int AS unchanged,
              count(*) FILTER (WHERE status = 'superseded')::int AS superseded,
              (SELECT count(*) FROM tds_queue_attempts a JOIN tds_sync_queue q ON q.id = a.queue_item_id WHERE q.entity_type = 'product')::int AS failed,
              (SELECT count(*) FROM tds_queue_attempts a JOIN tds_sync_queue q ON q.id = a.queue_item_id
                WHERE q.entity_type = 'product' AND a.outcome = 'retry')::int AS retried,
              (SELECT count(*) FROM tds_dead_letters WHERE entity_type = 'product')::int AS dead_lettered,
              sum((extract(epoch FROM completed_at - created_at) * 1000)::int)
                FILTER (WHERE status IN ('completed', 'unchanged', 'superseded'))::int AS latency_sum_ms,
              max((extract(epoch FROM completed_at - created_at) * 1000)::int)
                FILTER (WHERE status IN ('completed', 'unchanged', 'superseded'))::int AS latency_max_ms
       FROM tds_sync_queue WHERE entity_type = 'product'`,
    );
    // The workload's own arithmetic, so the comparison below cannot pass by both sides being empty.
    expect(product).toMatchObject({ received: 25, applied: 21, unchanged: 1, superseded: 1, failed: 2 + 3 + 1, retried: 2 + 2, dead_lettered: 2 });
    expect(await bucketTotals('product')).toEqual(product);
    expect(await bucketTotals('customer')).toMatchObject({ received: 5, applied: 5, failed: 0, dead_lettered: 0 });
  });

  it('marks a dead letter transient when its retries ran out and permanent otherwise', async () => {
    const letters = await rows<{ source_entity_id: string; transient: boolean; auto_replays: number }>(
      db,
      `SELECT source_entity_id, transient, auto_replays FROM tds_dead_letters ORDER BY source_entity_id`,
    );
    expect(letters).toEqual([
      { source_entity_id: `item-${POISON}`, transient: true, auto_replays: 0 },
      { source_entity_id: `item-${BROKEN}`, transient: false, auto_replays: 0 },
    ]);
  });

  it("counts the retry job's replays along a dead letter's chain, and only those", async () => {
    const commands = testApp.app.get(CommandBus);
    const latest = async () =>
      (
        await rows<{ id: number; auto_replays: number }>(
          db,
          `SELECT id, auto_replays FROM tds_dead_letters WHERE source_entity_id = $1 ORDER BY id DESC LIMIT 1`,
          [`item-${POISON}`],
        )
      )[0];

    await commands.execute(new ReplayDeadLetterCommand(Number((await latest()).id), RETRY_JOB_ACTOR));
    await waitUntilDrained(db);
    expect((await latest()).auto_replays).toBe(1);

    await commands.execute(new ReplayDeadLetterCommand(Number((await latest()).id), 'operator:alice'));
    await waitUntilDrained(db);
    expect((await latest()).auto_replays).toBe(1);

    await commands.execute(new ReplayDeadLetterCommand(Number((await latest()).id), RETRY_JOB_ACTOR));
    await waitUntilDrained(db);
    expect((await latest()).auto_replays).toBe(2);
  });

  it('applies an item that waited longer than 32-bit milliseconds hold, and records its latency', async () => {
    // Enqueued (back-dated) in the statement that creates it, so no worker can apply it first.
    const [{ id }] = await rows<{ id: number }>(
      db,
      `INSERT INTO tds_sync_queue (source, entity_type, source_entity_id, operation, version, payload, max_attempts, created_at)
       VALUES ('zoho', 'product', 'late', 'update', 1, $1::jsonb, 3, now() - interval '30 days') RETURNING id`,
      [JSON.stringify(productPayload('late', 1))],
    );
    await db.query(`SELECT pg_notify('tds_queue', '')`);
    await waitUntilDrained(db);
    const [row] = await rows<{ status: string }>(db, `SELECT status FROM tds_sync_queue WHERE id = $1`, [id]);
    expect(row.status).toBe('completed');
    const [{ max }] = await rows<{ max: number }>(db, `SELECT max(latency_max_ms) AS max FROM tds_metrics WHERE entity_type = 'product'`);
    expect(max).toBeGreaterThanOrEqual(30 * 86_400_000);
  });
});
