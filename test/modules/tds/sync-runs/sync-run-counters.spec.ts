import { TestFaults } from '../../../../src/modules/tds/apply/test-faults.js';
import { rows } from '../../../support/queue-fixtures.js';
import { describePostgres } from '../../../support/test-database.js';
import {
  BATCH_SIZE,
  drain,
  enqueue,
  failPermanently,
  getRun,
  KEYS,
  newProducts,
  runBatch,
  runEvents,
  useSyncRunApp,
} from './sync-run-test-kit.js';

describePostgres('sync run counters, status and events, batch by batch', () => {
  const suite = useSyncRunApp();

  it('follows a 1,000-item bulk run through every batch to completed, with its started and completed events', async () => {
    const { syncRunId } = await enqueue(suite.app, newProducts(1000));

    const queued = await getRun(suite.app, syncRunId);
    expect(queued).toMatchObject({
      id: syncRunId,
      kind: 'bulk',
      source: 'zoho',
      entityType: 'product',
      status: 'running',
      total: 1000,
      processed: 0,
      succeeded: 0,
      failed: 0,
      skipped: 0,
      progress: 0,
      completedAt: null,
      errorSummary: null,
    });
    expect(Date.parse(queued.startedAt)).not.toBeNaN();
    expect(queued.durationMs).toBeGreaterThanOrEqual(0);
    const [started] = await runEvents(suite.db, syncRunId);
    expect(started).toEqual({
      eventType: 'tds.sync.started',
      correlationId: `sync-run:${syncRunId}`,
      causationId: `sync-run:${syncRunId}`,
      payload: { syncRunId, kind: 'bulk', source: 'zoho', entityType: 'product', total: 1000 },
    });

    const batches = 1000 / BATCH_SIZE;
    for (let k = 1; k <= batches; k++) {
      expect(await runBatch(suite.app)).toBe(BATCH_SIZE);
      const run = await getRun(suite.app, syncRunId);
      expect(run).toMatchObject({
        status: k < batches ? 'running' : 'completed',
        processed: k * BATCH_SIZE,
        succeeded: k * BATCH_SIZE,
        failed: 0,
        skipped: 0,
        progress: k / batches,
      });
      if (k < batches) {
        expect(run.completedAt).toBeNull();
        expect((await runEvents(suite.db, syncRunId)).map((e) => e.eventType)).toEqual(['tds.sync.started']);
      }
    }
    expect(await runBatch(suite.app)).toBe(0);

    const done = await getRun(suite.app, syncRunId);
    // Computed on the database's microseconds; the ISO timestamps carry milliseconds.
    expect(Math.abs(done.durationMs - (Date.parse(done.completedAt) - Date.parse(done.startedAt)))).toBeLessThanOrEqual(1);
    const events = await runEvents(suite.db, syncRunId);
    expect(events.map((e) => e.eventType)).toEqual(['tds.sync.started', 'tds.sync.completed']);
    expect(events[1]).toMatchObject({ correlationId: `sync-run:${syncRunId}` });
    expect(events[1].payload).toEqual({
      syncRunId,
      entityType: 'product',
      total: 1000,
      succeeded: 1000,
      failed: 0,
      skipped: 0,
      durationMs: expect.any(Number),
    });
    // The event's duration is the run's, to the millisecond rounding of either side.
    expect(Math.abs((events[1].payload.durationMs as number) - done.durationMs)).toBeLessThanOrEqual(1);
  });

  it('closes a run with one permanently failing item as partial: failed 1, the others succeeded', async () => {
    const items = newProducts(10);
    failPermanently(suite.app, [items[3]]);
    const { syncRunId } = await enqueue(suite.app, items);
    expect(await drain(suite.app)).toEqual([10]);

    expect(await getRun(suite.app, syncRunId)).toMatchObject({
      status: 'partial',
      total: 10,
      processed: 10,
      succeeded: 9,
      failed: 1,
      skipped: 0,
      progress: 1,
    });
    const [dead] = await rows<{ n: number }>(suite.db, `SELECT count(*)::int AS n FROM tds_dead_letters WHERE sync_run_id = $1`, [syncRunId]);
    expect(dead.n).toBe(1);
    const events = await runEvents(suite.db, syncRunId);
    expect(events.map((e) => e.eventType)).toEqual(['tds.sync.started', 'tds.sync.completed']);
    expect(events[1].payload).toMatchObject({ total: 10, succeeded: 9, failed: 1, skipped: 0 });
  });

  it('closes a run whose every item failed as failed, with tds.sync.failed', async () => {
    const items = newProducts(3);
    failPermanently(suite.app, items);
    const { syncRunId } = await enqueue(suite.app, items);
    await drain(suite.app);

    const run = await getRun(suite.app, syncRunId);
    expect(run).toMatchObject({ status: 'failed', total: 3, processed: 3, succeeded: 0, failed: 3, skipped: 0, progress: 1 });
    expect(run.completedAt).not.toBeNull();
    const events = await runEvents(suite.db, syncRunId);
    expect(events.map((e) => e.eventType)).toEqual(['tds.sync.started', 'tds.sync.failed']);
    expect(events[1]).toMatchObject({ correlationId: `sync-run:${syncRunId}` });
    expect(events[1].payload).toEqual({
      syncRunId,
      entityType: 'product',
      errorCode: expect.stringMatching(/\S/),
      errorMessage: expect.stringMatching(/\S/),
    });
  });

  it('counts a failed attempt only once it is final: a retry leaves the run running', async () => {
    const [flaky, ...others] = newProducts(4);
    suite.app.get(TestFaults).set(`transient:${flaky.sourceEntityId}`);
    const { syncRunId, queueItemIds } = await enqueue(suite.app, [flaky, ...others]);

    expect(await runBatch(suite.app)).toBe(4);
    expect(await getRun(suite.app, syncRunId)).toMatchObject({ status: 'running', processed: 3, succeeded: 3, failed: 0 });

    // Due now rather than after its backoff, so the second (last) attempt runs in the next batch.
    await suite.db.query(`UPDATE tds_sync_queue SET next_attempt_at = now() WHERE id = $1 AND status = 'retry'`, [queueItemIds[0]]);
    expect(await runBatch(suite.app)).toBe(1);
    expect(await getRun(suite.app, syncRunId)).toMatchObject({ status: 'partial', processed: 4, succeeded: 3, failed: 1 });
  });

  it('counts superseded and unchanged items as skipped', async () => {
    const [a, b] = newProducts(2);
    const olderB = { ...b, version: '2025-11-17T02:02:51+0300', payload: { ...b.payload, name: 'older' } };
    const newerB = { ...b, version: '2025-11-19T02:02:51+0300', payload: { ...b.payload, name: 'newer' } };
    // a twice (the earlier copy loses to the later), b's older version loses to its newer one.
    const first = await enqueue(suite.app, [a, { ...a }, newerB, olderB]);
    await drain(suite.app);
    expect(await getRun(suite.app, first.syncRunId)).toMatchObject({
      status: 'completed',
      total: 4,
      processed: 4,
      succeeded: 2,
      skipped: 2,
      failed: 0,
    });

    // Same content as the mirror holds: unchanged. A run with nothing applied and nothing failed is completed.
    const second = await enqueue(suite.app, [{ ...a }]);
    await drain(suite.app);
    expect(await getRun(suite.app, second.syncRunId)).toMatchObject({ status: 'completed', processed: 1, succeeded: 0, skipped: 1, failed: 0 });
    const [, completed] = await runEvents(suite.db, second.syncRunId);
    expect(completed.payload).toMatchObject({ total: 1, succeeded: 0, failed: 0, skipped: 1 });
  });

  describe('GET /api/tds/sync-runs/:id', () => {
    it('refuses an unknown id with 404 SYNC_RUN.NOT_FOUND and a non-numeric one with 422', async () => {
      const get = (id: string) =>
        suite.app.inject({ method: 'GET', url: `/api/tds/sync-runs/${id}`, headers: { authorization: `Bearer ${KEYS.viewer}` } });
      const missing = await get('999999');
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toMatchObject({ statusCode: 404, error: 'SYNC_RUN.NOT_FOUND' });
      for (const bad of ['abc', '0', '-1', '1.5', '99999999999999999999']) {
        const res = await get(bad);
        expect(res.statusCode).toBe(422);
        expect(res.json().error).toBe('VALIDATION_FAILED');
      }
    });

    it('needs an API key', async () => {
      const res = await suite.app.inject({ method: 'GET', url: '/api/tds/sync-runs/1' });
      expect(res.statusCode).toBe(401);
    });

    it('reports an empty run that has not started: progress 1, no duration', async () => {
      const [run] = await rows<{ id: number }>(
        suite.db,
        `INSERT INTO tds_sync_runs (kind, source, entity_type, status, total) VALUES ('pull', 'zoho', 'product', 'pending', 0) RETURNING id`,
      );
      expect(await getRun(suite.app, run.id)).toMatchObject({
        kind: 'pull',
        status: 'pending',
        total: 0,
        progress: 1,
        durationMs: null,
        startedAt: null,
        completedAt: null,
      });
    });

    it('is described in the OpenAPI document', async () => {
      const paths = (await suite.app.inject({ method: 'GET', url: '/api/docs-json' })).json().paths;
      expect(paths['/api/tds/sync-runs/{id}']).toHaveProperty('get');
      expect(paths['/api/tds/sync-runs/{id}/cancel']).toHaveProperty('post');
    });
  });
});
