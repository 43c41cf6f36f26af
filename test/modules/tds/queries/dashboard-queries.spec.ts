import { QueryBus } from '@nestjs/cqrs';
import { GetDashboardSummaryQuery, GetSyncRunErrorsQuery, GetThroughputQuery } from '../../../../src/modules/tds/public.js';
import type { ThroughputParams } from '../../../../src/modules/tds/public.js';
import { TestFaults } from '../../../../src/modules/tds/apply/test-faults.js';
import { ValidationFailedError } from '../../../../src/shared/errors/domain-error.js';
import { rows } from '../../../support/queue-fixtures.js';
import { describePostgres } from '../../../support/test-database.js';
import { drain, enqueue, failPermanently, newProducts, runBatch, useSyncRunApp } from '../sync-runs/sync-run-test-kit.js';
import type { SyncRunSuite } from '../sync-runs/sync-run-test-kit.js';

const ZERO_OUTCOMES = { received: 0, applied: 0, unchanged: 0, superseded: 0, failed: 0, retried: 0, deadLettered: 0 };

/** Delta rows written straight into tds_metrics, `minutesAgo` whole minutes before the current minute (database clock). */
async function insertMetrics(
  suite: SyncRunSuite,
  deltas: { minutesAgo: number; entityType?: string; counts: Partial<Record<string, number>> }[],
): Promise<void> {
  const columns = ['received', 'applied', 'unchanged', 'superseded', 'failed', 'retried', 'dead_lettered', 'latency_sum_ms', 'latency_max_ms'];
  for (const { minutesAgo, entityType = 'product', counts } of deltas) {
    await suite.db.query(
      `INSERT INTO tds_metrics (bucket, source, entity_type, ${columns.join(', ')})
       VALUES (date_trunc('minute', now()) - make_interval(mins => $1), 'zoho', $2, ${columns.map((_, i) => `$${i + 3}`).join(', ')})`,
      [minutesAgo, entityType, ...columns.map((column) => counts[column] ?? 0)],
    );
  }
}

describePostgres('GetDashboardSummaryQuery', () => {
  const suite = useSyncRunApp();

  it('counts the open work and sums the last 24 h of metric buckets on a known workload', async () => {
    const summary = () => suite.app.get(QueryBus).execute(new GetDashboardSummaryQuery());
    const empty = await summary();
    expect(empty).toEqual({
      generatedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      queue: { pending: 0, processing: 0, retry: 0, openDeadLetters: 0, oldestPendingAgeSeconds: null },
      last24h: { received: 0, applied: 0, unchanged: 0, superseded: 0, failed: 0, deadLettered: 0, successRate: null },
    });

    // Two applied, one dead-lettered; then one failing transiently (one batch: it waits for its retry); two waiting.
    const [a, b, broken] = newProducts(3);
    failPermanently(suite.app, [broken]);
    await enqueue(suite.app, [a, b, broken]);
    await drain(suite.app);
    const [flaky] = newProducts(1);
    suite.app.get(TestFaults).set(`transient:${flaky.sourceEntityId}`);
    await enqueue(suite.app, [flaky]);
    expect(await runBatch(suite.app)).toBe(1);
    const waiting = await enqueue(suite.app, newProducts(2));
    // A batch in flight holding one of the waiting items, and one item under a lease.
    await suite.db.query(`INSERT INTO tds_batch_claims (worker_id, item_ids) VALUES ('test-worker', $1::bigint[])`, [[waiting.queueItemIds[0]]]);
    await suite.db.query(
      `INSERT INTO tds_sync_queue (source, entity_type, source_entity_id, operation, version, payload, status, max_attempts, locked_by, locked_until)
       VALUES ('zoho', 'product', 'leased-1', 'update', 1, '{}', 'processing', 2, 'test', now() + interval '1 minute')`,
    );
    // Earlier outcomes: two delta rows of one bucket 23 h ago (summed), and one 25 h ago (outside the day).
    await insertMetrics(suite, [
      { minutesAgo: 23 * 60, counts: { received: 10, applied: 3, unchanged: 2, superseded: 1, failed: 2, dead_lettered: 1 } },
      { minutesAgo: 23 * 60, counts: { received: 5, applied: 1, failed: 1, retried: 1 } },
      { minutesAgo: 25 * 60, counts: { received: 1000, applied: 1000, failed: 1000, dead_lettered: 1000 } },
    ]);

    const result = await summary();
    const [{ waited }] = await rows<{ waited: number }>(
      suite.db,
      `SELECT EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS waited FROM tds_sync_queue WHERE status = 'pending'`,
    );
    expect(result.queue).toEqual({ pending: 1, processing: 2, retry: 1, openDeadLetters: 1, oldestPendingAgeSeconds: expect.any(Number) });
    expect(result.queue.oldestPendingAgeSeconds).toBeGreaterThan(0);
    expect(result.queue.oldestPendingAgeSeconds).toBeLessThanOrEqual(waited);
    // Real work: 6 received, 2 applied, 2 failed attempts (1 dead-lettered); plus the buckets of 23 h ago.
    expect(result.last24h).toEqual({
      received: 6 + 15,
      applied: 2 + 4,
      unchanged: 2,
      superseded: 1,
      failed: 2 + 3,
      deadLettered: 1 + 1,
      successRate: (6 + 2 + 1) / (6 + 2 + 1 + 5),
    });
  });
});

describePostgres('GetThroughputQuery', () => {
  const suite = useSyncRunApp();
  const throughput = (params: ThroughputParams) => suite.app.get(QueryBus).execute(new GetThroughputQuery(params));

  it('one point per step ending at the current minute, delta rows summed per step, zeros for empty steps', async () => {
    // Buckets kept away from the step edges, so a minute turning over during the test moves none of them.
    await insertMetrics(suite, [
      { minutesAgo: 50, counts: { received: 7, applied: 2, unchanged: 1, superseded: 1, latency_sum_ms: 400, latency_max_ms: 250 } },
      { minutesAgo: 48, counts: { received: 3, applied: 4, latency_sum_ms: 200, latency_max_ms: 90 } },
      { minutesAgo: 48, entityType: 'customer', counts: { received: 100, applied: 100, latency_sum_ms: 100, latency_max_ms: 1 } },
      { minutesAgo: 20, counts: { failed: 3, retried: 2, dead_lettered: 1 } },
      { minutesAgo: 0, counts: { received: 1 } },
      { minutesAgo: 90, counts: { received: 999, applied: 999 } },
    ]);
    const [{ minute }] = await rows<{ minute: Date }>(suite.db, `SELECT date_trunc('minute', now()) AS minute`);

    const series = await throughput({ windowMinutes: 60, stepMinutes: 15, entityType: 'product' });
    const to = Date.parse(series.to);
    // The window ends after the current minute: the one read just before, or the next if it turned over.
    expect([minute.getTime() + 60_000, minute.getTime() + 120_000]).toContain(to);
    expect(Date.parse(series.from)).toBe(to - 60 * 60_000);
    expect(series).toMatchObject({ windowMinutes: 60, stepMinutes: 15 });
    expect(series.points.map((p) => Date.parse(p.at))).toEqual([0, 1, 2, 3].map((n) => to - 60 * 60_000 + n * 15 * 60_000));
    expect(series.points.map(({ at: _at, ...point }) => point)).toEqual([
      // 50 and 48 minutes ago: closed 2 + 1 + 1 + 4 = 8 items in 600 ms; the customer's row is filtered out.
      { ...ZERO_OUTCOMES, received: 10, applied: 6, unchanged: 1, superseded: 1, avgLatencyMs: 75, maxLatencyMs: 250 },
      { ...ZERO_OUTCOMES, avgLatencyMs: null, maxLatencyMs: null },
      { ...ZERO_OUTCOMES, failed: 3, retried: 2, deadLettered: 1, avgLatencyMs: null, maxLatencyMs: null },
      { ...ZERO_OUTCOMES, received: 1, avgLatencyMs: null, maxLatencyMs: null },
    ]);

    // Every entity type: the customer's row joins the first step.
    const all = await throughput({ windowMinutes: 60, stepMinutes: 30 });
    expect(all.points).toHaveLength(2);
    expect(all.points[0]).toMatchObject({ received: 110, applied: 106, avgLatencyMs: 700 / 108, maxLatencyMs: 250 });
    expect(all.points[1]).toMatchObject({ received: 1, failed: 3 });

    // One step as wide as the window, and the largest window at its coarsest allowed step.
    const minuteOnly = await throughput({ windowMinutes: 1, stepMinutes: 1 });
    expect(minuteOnly.points.map((p) => p.at)).toEqual([minuteOnly.from]);
    const week = await throughput({ windowMinutes: 10_080, stepMinutes: 7 });
    expect(week.points).toHaveLength(1440);
    expect(week.points.reduce((sum, p) => sum + p.received, 0)).toBe(10 + 100 + 1 + 999);
  });

  it.each([
    [{ windowMinutes: 0, stepMinutes: 1 }, ['window']],
    [{ windowMinutes: 10_081, stepMinutes: 1 }, ['window']],
    [{ windowMinutes: 1.5, stepMinutes: 1 }, ['window']],
    [{ windowMinutes: 60, stepMinutes: 0 }, ['step']],
    [{ windowMinutes: 60, stepMinutes: 7 }, ['step']],
    [{ windowMinutes: 10_080, stepMinutes: 1 }, ['step']],
    [{ windowMinutes: Number.NaN, stepMinutes: Number.NaN }, ['window', 'step']],
    [{ windowMinutes: 60, stepMinutes: 15, entityType: 'a\u0000b' }, ['entityType']],
  ])('refuses %j naming %j', async (params, paths) => {
    const error = await throughput(params as ThroughputParams).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationFailedError);
    expect((error as ValidationFailedError).details.map((d) => d.path)).toEqual(paths);
  });
});

describePostgres('GetSyncRunErrorsQuery', () => {
  const suite = useSyncRunApp();
  const errors = (syncRunId: number) => suite.app.get(QueryBus).execute(new GetSyncRunErrorsQuery(syncRunId));

  it("groups a run's dead-lettered and retrying items by error code, most frequent first, with the newest message", async () => {
    const [p1, p2, t1, ok1, ok2, other] = newProducts(6);
    suite.app.get(TestFaults).set([`permanent:${p1.sourceEntityId}`, `permanent:${p2.sourceEntityId}`, `transient:${t1.sourceEntityId}`, `permanent:${other.sourceEntityId}`].join(';'));
    const run = await enqueue(suite.app, [p1, p2, t1, ok1, ok2]);
    // Another run's failure does not count.
    const otherRun = await enqueue(suite.app, [other]);
    // One batch takes all six: two dead letters and one retry in the run.
    expect(await runBatch(suite.app)).toBe(6);

    expect(await errors(run.syncRunId)).toEqual([
      // Both failed in one batch: the later item's message is the newer.
      { errorCode: 'TEST_PERMANENT', count: 2, lastMessage: `injected permanent fault for ${p2.sourceEntityId}` },
      { errorCode: 'TEST_TRANSIENT', count: 1, lastMessage: `injected transient fault for ${t1.sourceEntityId}` },
    ]);
    expect(await errors(otherRun.syncRunId)).toEqual([
      { errorCode: 'TEST_PERMANENT', count: 1, lastMessage: `injected permanent fault for ${other.sourceEntityId}` },
    ]);
    expect(await errors(987_654_321)).toEqual([]);
  });
});
