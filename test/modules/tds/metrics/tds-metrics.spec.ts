import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { OutboxRelayService } from '../../../../src/modules/tds/outbox/outbox-relay.service.js';
import { QueueWorkerService } from '../../../../src/modules/tds/workers/queue-worker.service.js';
import { createTestApp, type TestApp } from '../../../support/create-test-app.js';
import { rows, waitUntilDrained } from '../../../support/queue-fixtures.js';
import { eventually } from '../../../support/spawn-app.js';
import { createTestDatabase, describePostgres, type TestDatabase } from '../../../support/test-database.js';
import { parseSamples, promtoolFindings, sampleValue, scrape, type Sample } from '../../../shared/metrics/prometheus-text.js';
import { KEYS, postQueue, productItem } from '../enqueue/enqueue-test-kit.js';

const OLDER_VERSION = '2025-11-17T02:02:51+0300';
const ENQUEUE = { method: 'POST', route: '/api/tds/queue', status_code: '202' };

describePostgres('TDS metrics against the database', () => {
  let database: TestDatabase;
  let testApp: TestApp;
  let db: DataSource;
  let enqueueRequests = 0;

  beforeAll(async () => {
    database = await createTestDatabase();
    testApp = await createTestApp({
      DATABASE_URL: database.url,
      TDS_API_KEYS: Object.entries(KEYS).map(([role, key]) => `${role}:${key}`).join(','),
      TDS_WORKER_COUNT: '2',
      // Small batches: the workload spans many of them.
      TDS_BATCH_SIZE: '7',
      TDS_POLL_INTERVAL_MS: '50',
      TDS_OUTBOX_POLL_INTERVAL_MS: '50',
      TDS_BACKOFF_BASE_MS: '20',
      TDS_BACKOFF_CAP_MS: '50',
      TDS_TEST_FAULTS: 'permanent:item-90;permanent:item-91;transient:item-92:2',
    });
    db = testApp.app.get(DataSource);
  });
  afterAll(async () => {
    await testApp?.close();
    await database?.drop();
  });

  async function scrapeSamples(): Promise<Sample[]> {
    const text = await scrape(testApp.app);
    expect(promtoolFindings(text) ?? '').toBe('');
    return parseSamples(text);
  }
  async function enqueue(items: unknown[]): Promise<void> {
    enqueueRequests++;
    expect((await postQueue(testApp.app, { items })).statusCode).toBe(202);
  }
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
  const count = async (sql: string) => (await rows<{ n: number }>(db, sql))[0].n;

  it('counts per status what the workers did, equal to the statuses the queue holds', async () => {
    // New records; two that fail for good; one that fails twice, then completes.
    await enqueue([...range(1, 20), 90, 91, 92].map((n) => productItem(n)));
    await waitUntilDrained(db, 60_000);
    // The same versions again (unchanged), and older versions of others (superseded).
    await enqueue(range(1, 10).map((n) => productItem(n)));
    await enqueue(range(11, 15).map((n) => productItem(n, { version: OLDER_VERSION })));
    await waitUntilDrained(db, 60_000);

    const byStatus = Object.fromEntries(
      (await rows<{ status: string; n: number }>(db, `SELECT status, count(*)::int AS n FROM tds_sync_queue GROUP BY status`)).map((r) => [r.status, r.n]),
    );
    expect(byStatus).toEqual({ completed: 21, unchanged: 10, superseded: 5, dead_letter: 2 });
    const retries = await count(`SELECT count(*)::int AS n FROM tds_queue_attempts WHERE outcome = 'retry'`);
    expect(retries).toBe(2);

    const samples = await scrapeSamples();
    const processed = (status: string) => sampleValue(samples, 'tds_queue_items_processed_total', { status });
    for (const status of ['completed', 'unchanged', 'superseded', 'dead_letter']) expect([status, processed(status)]).toEqual([status, byStatus[status]]);
    expect(processed('retry')).toBe(retries);

    // Every closed item has its latency; a batch, its duration.
    expect(sampleValue(samples, 'tds_sync_end_to_end_latency_seconds_count')).toBe(21 + 10 + 5);
    const batches = sampleValue(samples, 'tds_queue_batches_total');
    expect(batches).toBeGreaterThanOrEqual(Math.ceil(43 / 7));
    expect(sampleValue(samples, 'tds_queue_batch_duration_seconds_count')).toBe(batches);
    expect(sampleValue(samples, 'tds_http_requests_total', ENQUEUE)).toBe(enqueueRequests);
  });

  it('counts the outbox events the relay published, equal to those the outbox marks dispatched', async () => {
    await eventually(async () => {
      const dispatched = await count(`SELECT count(*)::int AS n FROM tds_outbox WHERE dispatched_at IS NOT NULL`);
      expect(dispatched).toBeGreaterThan(0);
      expect(await count(`SELECT count(*)::int AS n FROM tds_outbox WHERE dispatched_at IS NULL`)).toBe(0);
      expect(sampleValue(await scrapeSamples(), 'tds_outbox_events_published_total')).toBe(dispatched);
    }, 30_000);
  });

  it('reads the gauges from the database, equal to its figures', async () => {
    // Workers and relay off: what is enqueued now stays pending, its events undispatched.
    await testApp.app.get(QueueWorkerService).beforeApplicationShutdown();
    await testApp.app.get(OutboxRelayService).beforeApplicationShutdown();
    await enqueue(range(30, 36).map((n) => productItem(n)));
    await db.query(`UPDATE tds_sync_queue SET status = 'retry', attempt = 1 WHERE source_entity_id IN ('item-35', 'item-36')`);
    await db.query(`INSERT INTO tds_reaction_failures (reaction, event_id, event_type, attempts, last_error, next_attempt_at, exhausted_at, resolved_at)
      VALUES ('r1', gen_random_uuid(), 't', 1, 'e', now(), NULL, NULL), ('r2', gen_random_uuid(), 't', 1, 'e', now(), NULL, NULL),
             ('r1', gen_random_uuid(), 't', 9, 'e', now(), now(), NULL), ('r1', gen_random_uuid(), 't', 1, 'e', now(), NULL, now())`);
    await db.query(`INSERT INTO tds_alerts (rule, fingerprint, severity, title, message, status)
      VALUES ('a', 'f1', 'warning', 't', 'm', 'active'), ('a', 'f2', 'warning', 't', 'm', 'acknowledged'),
             ('b', 'f3', 'critical', 't', 'm', 'active'), ('c', 'f4', 'info', 't', 'm', 'resolved')`);
    // Two delta rows of one bucket two minutes ago: inside the five-minute window for three minutes.
    await db.query(`INSERT INTO tds_metrics (bucket, source, entity_type, received, applied, dead_lettered)
      VALUES (date_trunc('minute', now()) - interval '2 minutes', 'metrics-spec', 'product', 5, 3, 1),
             (date_trunc('minute', now()) - interval '2 minutes', 'metrics-spec', 'product', 2, 2, 0)`);

    // A replayed dead letter is closed by its replay: not open, though not resolved either.
    await db.query(`INSERT INTO tds_dead_letters (queue_item_id, source, entity_type, source_entity_id, operation, version, failure_reason,
                                                  error_code, attempts, last_payload, replayed_at, replayed_by, replay_queue_item_id)
      VALUES (0, 'zoho', 'product', 'replayed', 'update', 1, 'failed', 'TEST', 5, '{}', now(), 'test', 0)`);
    // A batch left claimed (as by a worker that died): three of the pending items, so the gauge reads non-zero.
    await db.query(`INSERT INTO tds_batch_claims (worker_id, item_ids)
      SELECT 'metrics-spec-worker', array_agg(id ORDER BY id) FROM tds_sync_queue WHERE source_entity_id IN ('item-30', 'item-31', 'item-32')`);

    const samples = await scrapeSamples();
    const [expected] = await rows<Record<string, number>>(
      db,
      `SELECT (SELECT count(*)::int FROM tds_sync_queue WHERE status = 'pending') AS pending,
              (SELECT count(*)::int FROM tds_sync_queue WHERE status = 'retry') AS retry,
              (SELECT COALESCE(sum(cardinality(item_ids)), 0)::int FROM tds_batch_claims) AS claimed,
              (SELECT count(*)::int FROM tds_dead_letters WHERE resolved_at IS NULL AND replayed_at IS NULL) AS "deadLetters",
              (SELECT count(*)::int FROM tds_outbox WHERE dispatched_at IS NULL) AS outbox,
              EXTRACT(EPOCH FROM now() - (SELECT min(created_at) FROM tds_sync_queue WHERE status = 'pending'))::float8 AS "pendingAge",
              EXTRACT(EPOCH FROM now() - (SELECT min(created_at) FROM tds_outbox WHERE dispatched_at IS NULL))::float8 AS "outboxAge"`,
    );
    expect(expected).toMatchObject({ pending: 5, retry: 2, claimed: 3, deadLetters: 2 });
    expect(expected.outbox).toBeGreaterThan(0);
    const gauge = (name: string, labels: Record<string, string> = {}) => sampleValue(samples, name, labels);

    expect(gauge('tds_database_metrics_up')).toBe(1);
    expect(gauge('tds_queue_depth', { status: 'pending' })).toBe(expected.pending);
    expect(gauge('tds_queue_depth', { status: 'retry' })).toBe(expected.retry);
    expect(gauge('tds_queue_claimed_items')).toBe(expected.claimed);
    expect(gauge('tds_dead_letters_open')).toBe(expected.deadLetters);
    expect(gauge('tds_outbox_pending_events')).toBe(expected.outbox);
    // Ages read before the database's own: positive, and not above it.
    expect(gauge('tds_queue_oldest_pending_age_seconds')).toBeGreaterThan(0);
    expect(gauge('tds_queue_oldest_pending_age_seconds')).toBeLessThanOrEqual(expected.pendingAge);
    expect(gauge('tds_outbox_oldest_pending_age_seconds')).toBeGreaterThan(0);
    expect(gauge('tds_outbox_oldest_pending_age_seconds')).toBeLessThanOrEqual(expected.outboxAge);
    expect(gauge('tds_reaction_failures_open', { state: 'retrying' })).toBe(2);
    expect(gauge('tds_reaction_failures_open', { state: 'exhausted' })).toBe(1);
    expect(
      Object.fromEntries(['info', 'warning', 'error', 'critical'].map((severity) => [severity, gauge('tds_alerts_open', { severity })])),
    ).toEqual({ info: 0, warning: 2, error: 0, critical: 1 });
    const recent = (outcome: string) => gauge('tds_sync_items_last_5m', { source: 'metrics-spec', entity_type: 'product', outcome });
    expect([recent('received'), recent('applied'), recent('dead_lettered'), recent('unchanged')]).toEqual([7, 5, 1, 0]);
    expect(gauge('tds_http_requests_total', ENQUEUE)).toBe(enqueueRequests);

    await db.query(`DELETE FROM tds_batch_claims WHERE worker_id = 'metrics-spec-worker'`);
  });
});
