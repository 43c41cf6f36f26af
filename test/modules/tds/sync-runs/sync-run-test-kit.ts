import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { QueueWorkerService } from '../../../../src/modules/tds/workers/queue-worker.service.js';
import { TestFaults } from '../../../../src/modules/tds/apply/test-faults.js';
import { createTestApp, type TestApp } from '../../../support/create-test-app.js';
import { rows } from '../../../support/queue-fixtures.js';
import { eventually } from '../../../support/spawn-app.js';
import { createTestDatabase, type TestDatabase } from '../../../support/test-database.js';
import { KEYS, postQueue, productItem } from '../enqueue/enqueue-test-kit.js';
import { zohoContact } from '../fixtures/zoho-payloads.js';

export { KEYS };

export const BATCH_SIZE = 250;

/**
 * Nothing runs on its own: no workers, relay or jobs. Each test drives batches with
 * `runBatch`, so every stage of a run can be looked at; events stay in the outbox to be read.
 * Two attempts: a transient failure retries once, then dead-letters.
 */
export const SYNC_RUN_ENV = {
  TDS_WORKERS_ENABLED: 'false',
  TDS_OUTBOX_RELAY_ENABLED: 'false',
  TDS_JOBS_ENABLED: 'false',
  TDS_BATCH_SIZE: String(BATCH_SIZE),
  TDS_MAX_ATTEMPTS: '2',
  TDS_API_KEYS: Object.entries(KEYS).map(([role, key]) => `${role}:${key}`).join(','),
};

export interface SyncRunSuite {
  app: NestFastifyApplication;
  db: DataSource;
  database: TestDatabase;
}

/** A fresh database and app for the suite (call inside a describePostgres); `env` adds to SYNC_RUN_ENV. */
export function useSyncRunApp(env: Record<string, string> = {}): SyncRunSuite {
  const suite = {} as SyncRunSuite;
  let testApp: TestApp | undefined;
  beforeAll(async () => {
    suite.database = await createTestDatabase();
    testApp = await createTestApp({ ...SYNC_RUN_ENV, ...env, DATABASE_URL: suite.database.url });
    suite.app = testApp.app;
    suite.db = testApp.app.get(DataSource);
  });
  afterEach(() => suite.app.get(TestFaults).set(''));
  afterAll(async () => {
    await testApp?.close();
    await suite.database?.drop();
  });
  return suite;
}

let lastItem = 0;

/** Valid product items, never enqueued before in this process: each is applied, not unchanged. */
export function newProducts(count: number) {
  return Array.from({ length: count }, () => productItem(++lastItem));
}

export function newCustomer() {
  const id = `c-${++lastItem}`;
  return { entityType: 'customer', sourceEntityId: id, operation: 'update', version: 1, payload: { ...zohoContact, contact_id: id } };
}

/** Makes applying these items fail permanently (one attempt, then the dead-letter queue). */
export function failPermanently(app: NestFastifyApplication, items: readonly { sourceEntityId: string }[]): void {
  app.get(TestFaults).set(items.map((item) => `permanent:${item.sourceEntityId}`).join(';'));
}

export async function enqueue(app: NestFastifyApplication, items: unknown[], source?: string) {
  const res = await postQueue(app, { ...(source ? { source } : {}), items });
  expect(res.statusCode).toBe(202);
  return res.json() as { syncRunId: number; queueItemIds: number[] };
}

export const runBatch = (app: NestFastifyApplication) => app.get(QueueWorkerService).runBatch('test');

/** Runs batches until one claims nothing; returns how many items each claimed. */
export async function drain(app: NestFastifyApplication): Promise<number[]> {
  const sizes: number[] = [];
  for (let n = await runBatch(app); n > 0; n = await runBatch(app)) sizes.push(n);
  return sizes;
}

/** GET /api/tds/sync-runs/:id as `key`, expecting 200. */
/** Dead letters of items that failed permanently, in id order; the fault is lifted afterwards. */
export async function makeDeadLetters(suite: SyncRunSuite, items: { sourceEntityId: string }[], source?: string): Promise<number[]> {
  failPermanently(suite.app, items);
  const { queueItemIds } = await enqueue(suite.app, items, source);
  await drain(suite.app);
  failPermanently(suite.app, []);
  const dead = await rows<{ id: number }>(
    suite.db,
    `SELECT id FROM tds_dead_letters WHERE queue_item_id = ANY ($1::bigint[]) ORDER BY id`,
    [queueItemIds],
  );
  expect(dead).toHaveLength(items.length);
  return dead.map((d) => d.id);
}

export async function getRun(app: NestFastifyApplication, id: number, key: string = KEYS.viewer) {
  const res = await app.inject({ method: 'GET', url: `/api/tds/sync-runs/${id}`, headers: { authorization: `Bearer ${key}` } });
  expect(res.statusCode).toBe(200);
  return res.json();
}

export function cancelRun(app: NestFastifyApplication, id: number | string, key: string | null = KEYS.operator) {
  return app.inject({
    method: 'POST',
    url: `/api/tds/sync-runs/${id}/cancel`,
    headers: key ? { authorization: `Bearer ${key}` } : {},
  });
}

export interface OutboxRow {
  eventType: string;
  correlationId: string;
  causationId: string;
  payload: Record<string, unknown>;
}

/** The run's lifecycle events (tds.sync.*), oldest first. */
export function runEvents(db: DataSource, syncRunId: number): Promise<OutboxRow[]> {
  return rows<OutboxRow>(
    db,
    `SELECT event_type AS "eventType", correlation_id AS "correlationId", causation_id AS "causationId", payload
     FROM tds_outbox WHERE event_type LIKE 'tds.sync.%' AND payload ->> 'syncRunId' = $1::text ORDER BY id`,
    [syncRunId],
  );
}

/** How many of the run's queue items are in each status. */
export async function itemStatuses(db: DataSource, syncRunId: number): Promise<Record<string, number>> {
  const counts = await rows<{ status: string; n: number }>(
    db,
    `SELECT status, count(*)::int AS n FROM tds_sync_queue WHERE sync_run_id = $1 GROUP BY status`,
    [syncRunId],
  );
  return Object.fromEntries(counts.map((c) => [c.status, c.n]));
}

/**
 * Resolves once another session of this database is waiting on a lock in a statement whose text
 * (its first 1 KB, as pg_stat_activity keeps it) matches `pattern`; by default one that touches
 * tds_sync_queue: the cancel, blocked by a batch's row locks (5 s at most).
 */
export async function waitForLockWaiter(db: DataSource, pattern = '%tds_sync_queue%'): Promise<void> {
  await eventually(
    async () => {
      const [waiting] = await rows<{ n: number }>(
        db,
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock'
           AND query ILIKE $1 AND pid <> pg_backend_pid()`,
        [pattern],
      );
      expect(waiting.n).toBeGreaterThan(0);
    },
    5_000,
    50,
  );
}
