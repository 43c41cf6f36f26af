import { Client } from 'pg';
import { TestFaults } from '../../../../src/modules/tds/apply/test-faults.js';
import { rows } from '../../../support/queue-fixtures.js';
import { describePostgres } from '../../../support/test-database.js';
import {
  BATCH_SIZE,
  cancelRun,
  drain,
  enqueue,
  failPermanently,
  getRun,
  itemStatuses,
  KEYS,
  newProducts,
  runBatch,
  runEvents,
  useSyncRunApp,
  waitForLockWaiter,
} from './sync-run-test-kit.js';

describePostgres('cancelling a sync run', () => {
  const suite = useSyncRunApp();

  it('cancels what no batch has taken: counters add up, later batches claim nothing of the run', async () => {
    const { syncRunId } = await enqueue(suite.app, newProducts(1000));
    expect(await runBatch(suite.app)).toBe(BATCH_SIZE);

    const res = await cancelRun(suite.app, syncRunId);
    expect(res.statusCode).toBe(200);
    const cancelled = res.json();
    expect(cancelled).toMatchObject({
      id: syncRunId,
      status: 'cancelled',
      total: 1000,
      processed: 1000,
      succeeded: BATCH_SIZE,
      failed: 0,
      skipped: 1000 - BATCH_SIZE,
      progress: 1,
      errorSummary: { cancelledBy: expect.stringMatching(/^operator:[0-9a-f]+$/), cancelledItems: 1000 - BATCH_SIZE },
    });
    expect(Date.parse(cancelled.completedAt)).not.toBeNaN();

    expect(await itemStatuses(suite.db, syncRunId)).toEqual({ completed: BATCH_SIZE, cancelled: 1000 - BATCH_SIZE });
    const [open] = await rows<{ n: number }>(
      suite.db,
      `SELECT count(*)::int AS n FROM tds_sync_queue WHERE sync_run_id = $1 AND status = 'cancelled' AND completed_at IS NULL`,
      [syncRunId],
    );
    expect(open.n).toBe(0);
    expect(await runBatch(suite.app)).toBe(0);
    expect(await getRun(suite.app, syncRunId)).toEqual(cancelled);
    // Cancelled is neither completed nor failed: no closing event.
    expect((await runEvents(suite.db, syncRunId)).map((e) => e.eventType)).toEqual(['tds.sync.started']);

    // Cancelling again is harmless: the same run, nothing changed.
    const again = await cancelRun(suite.app, syncRunId);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(cancelled);
  });

  it('waits for a batch holding items of the run: keeps what it finished, cancels what it left open', async () => {
    const { syncRunId, queueItemIds } = await enqueue(suite.app, newProducts(20));
    const held = queueItemIds.slice(0, 5);
    const [finished, sentToRetry] = held;
    // A worker batch in flight: its claimed rows stay locked until it commits.
    const batch = new Client({ connectionString: suite.database.url });
    await batch.connect();
    let cancelling: Promise<Awaited<ReturnType<typeof cancelRun>>> | undefined;
    try {
      await batch.query('BEGIN');
      await batch.query(`SELECT id FROM tds_sync_queue WHERE id = ANY ($1::bigint[]) FOR UPDATE`, [held]);

      let settled = false;
      cancelling = Promise.resolve(cancelRun(suite.app, syncRunId));
      cancelling.then(
        () => (settled = true),
        () => (settled = true),
      );
      // The cancel waits for the batch's row locks.
      await waitForLockWaiter(suite.db);

      // The batch finishes one item, sends one to retry and defers the other three (left pending),
      // then adds its counts to the run as FINISH_BATCH_SQL does: the cancel does not hold the run
      // while it waits, so this does not deadlock.
      await batch.query(
        `UPDATE tds_sync_queue SET status = 'completed', started_at = now(), completed_at = clock_timestamp() WHERE id = $1`,
        [finished],
      );
      await batch.query(
        `UPDATE tds_sync_queue SET status = 'retry', attempt = attempt + 1, next_attempt_at = now(), started_at = now() WHERE id = $1`,
        [sentToRetry],
      );
      await batch.query(
        `UPDATE tds_sync_runs SET processed = processed + 1, succeeded = succeeded + 1 WHERE id = $1`,
        [syncRunId],
      );
      // The cancel's statement is still waiting on the batch's locks, so it cannot have answered.
      expect(settled).toBe(false);
      expect(await itemStatuses(suite.db, syncRunId)).toEqual({ pending: 20 });

      await batch.query('COMMIT');
      const res = await cancelling;
      expect(res.statusCode).toBe(200);
      const cancelled = res.json();
      expect(cancelled).toMatchObject({
        status: 'cancelled',
        total: 20,
        processed: 20,
        succeeded: 1,
        failed: 0,
        skipped: 19,
        progress: 1,
        errorSummary: { cancelledItems: 19 },
      });
      const statuses = await rows<{ id: number; status: string }>(
        suite.db,
        `SELECT id, status FROM tds_sync_queue WHERE sync_run_id = $1 ORDER BY id`,
        [syncRunId],
      );
      expect(statuses).toEqual(queueItemIds.map((id) => ({ id, status: id === finished ? 'completed' : 'cancelled' })));
      // Nothing of the run is left for a later batch; the run stays as the cancel closed it.
      expect(await runBatch(suite.app)).toBe(0);
      expect(await getRun(suite.app, syncRunId)).toEqual(cancelled);
      expect((await runEvents(suite.db, syncRunId)).map((e) => e.eventType)).toEqual(['tds.sync.started']);
    } finally {
      await batch.end();
      await cancelling?.catch(() => undefined);
    }
  });

  it('answers 409 when a batch it waited for closed the run', async () => {
    const { syncRunId, queueItemIds } = await enqueue(suite.app, newProducts(2));
    const batch = new Client({ connectionString: suite.database.url });
    await batch.connect();
    let cancelling: Promise<Awaited<ReturnType<typeof cancelRun>>> | undefined;
    try {
      await batch.query('BEGIN');
      await batch.query(`SELECT id FROM tds_sync_queue WHERE id = ANY ($1::bigint[]) FOR UPDATE`, [queueItemIds]);
      cancelling = Promise.resolve(cancelRun(suite.app, syncRunId));
      await waitForLockWaiter(suite.db);
      // The batch finishes the run's last items and closes it.
      await batch.query(
        `UPDATE tds_sync_queue SET status = 'completed', started_at = now(), completed_at = clock_timestamp() WHERE id = ANY ($1::bigint[])`,
        [queueItemIds],
      );
      await batch.query(
        `UPDATE tds_sync_runs SET processed = 2, succeeded = 2, status = 'completed', completed_at = clock_timestamp() WHERE id = $1`,
        [syncRunId],
      );
      await batch.query('COMMIT');

      const res = await cancelling;
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ error: 'SYNC_RUN.NOT_CANCELLABLE' });
      expect(res.json().message).toContain('completed');
      expect(await getRun(suite.app, syncRunId)).toMatchObject({ status: 'completed', processed: 2, succeeded: 2, skipped: 0 });
      expect(await itemStatuses(suite.db, syncRunId)).toEqual({ completed: 2 });
    } finally {
      await batch.end();
      await cancelling?.catch(() => undefined);
    }
  });

  it('cancels items waiting for a retry too', async () => {
    const [flaky, steady] = newProducts(2);
    suite.app.get(TestFaults).set(`transient:${flaky.sourceEntityId}`);
    const { syncRunId } = await enqueue(suite.app, [flaky, steady]);
    expect(await runBatch(suite.app)).toBe(2);
    expect(await itemStatuses(suite.db, syncRunId)).toEqual({ retry: 1, completed: 1 });

    const res = await cancelRun(suite.app, syncRunId);
    expect(res.json()).toMatchObject({ status: 'cancelled', processed: 2, succeeded: 1, failed: 0, skipped: 1 });
    expect(await itemStatuses(suite.db, syncRunId)).toEqual({ cancelled: 1, completed: 1 });
  });

  it('cancels a pending run that has no items yet', async () => {
    const [run] = await rows<{ id: number }>(
      suite.db,
      `INSERT INTO tds_sync_runs (kind, source, entity_type, status) VALUES ('pull', 'zoho', 'customer', 'pending') RETURNING id`,
    );
    const res = await cancelRun(suite.app, run.id);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'cancelled', total: 0, processed: 0, progress: 1, startedAt: null, durationMs: null });
  });

  it('refuses to cancel a finished run with 409 SYNC_RUN.NOT_CANCELLABLE, naming its status', async () => {
    const completed = await enqueue(suite.app, newProducts(2));
    const failing = newProducts(1);
    failPermanently(suite.app, failing);
    const failed = await enqueue(suite.app, failing);
    await drain(suite.app);

    for (const [id, status] of [
      [completed.syncRunId, 'completed'],
      [failed.syncRunId, 'failed'],
    ] as const) {
      const res = await cancelRun(suite.app, id);
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ statusCode: 409, error: 'SYNC_RUN.NOT_CANCELLABLE' });
      expect(res.json().message).toContain(status);
      expect((await getRun(suite.app, id)).status).toBe(status);
    }
  });

  it('answers 404 for an unknown run, 422 for an id that is not one', async () => {
    const missing = await cancelRun(suite.app, 999999);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: 'SYNC_RUN.NOT_FOUND' });
    const bad = await cancelRun(suite.app, 'abc');
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error).toBe('VALIDATION_FAILED');
  });

  it('needs an operator: 401 without a key, 403 for viewer and service, admin may', async () => {
    const { syncRunId } = await enqueue(suite.app, newProducts(1));
    expect((await cancelRun(suite.app, syncRunId, null)).statusCode).toBe(401);
    for (const key of [KEYS.viewer, KEYS.service]) {
      const res = await cancelRun(suite.app, syncRunId, key);
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toBe('AUTH.INSUFFICIENT_ROLE');
    }
    expect(await getRun(suite.app, syncRunId)).toMatchObject({ status: 'running', processed: 0 });
    const res = await cancelRun(suite.app, syncRunId, KEYS.admin);
    expect(res.statusCode).toBe(200);
    expect(res.json().errorSummary.cancelledBy).toMatch(/^admin:/);
  });
});
