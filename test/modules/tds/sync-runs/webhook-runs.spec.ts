import { setTimeout as sleep } from 'node:timers/promises';
import { rows } from '../../../support/queue-fixtures.js';
import { describePostgres } from '../../../support/test-database.js';
import { alertsOf, eventsOf, evaluate } from '../alerts/alerts-test-kit.js';
import { zohoContact } from '../fixtures/zoho-payloads.js';
import { runJob } from '../jobs/jobs-test-kit.js';
import { deliver, webhookEnv } from '../webhooks/webhook-test-kit.js';
import { cancelRun, drain, failPermanently, getRun, itemStatuses, KEYS, runEvents, useSyncRunApp, waitForLockWaiter } from './sync-run-test-kit.js';

const CLOSE_JOB = 'maintenance.webhook-runs';

/** A Zoho contact delivery (one queue item), distinct by `n`, optionally another edit of it. */
function contact(n: number, overrides: Record<string, unknown> = {}) {
  return { contact: { ...zohoContact, contact_id: `wr-${n}`, contact_name: `Customer ${n}`, ...overrides } };
}

/** A generic-envelope delivery (one queue item) to `source` (generic or slow), told apart by its delivery id. */
function genericDelivery(app: Parameters<typeof deliver>[0], id: string, source = 'generic') {
  const envelope = { entityType: 'customer', sourceEntityId: id, operation: 'update', version: 1, payload: { ...zohoContact, contact_id: id } };
  return deliver(app, source, envelope, { headers: { 'x-tds-delivery-id': `delivery-${id}` } });
}

interface WebhookRunRow {
  id: number;
  source: string;
  status: string;
  total: number;
  windowStart: Date;
  currentHour: Date;
}

describePostgres('webhook runs: one rolling run per source and hour', () => {
  // Groups of two, two in flight: the deliveries sent at once are written by concurrent groups.
  const suite = useSyncRunApp({ ...webhookEnv, TDS_INGEST_GROUP_MAX: '2', TDS_JOB_WEBHOOK_RUNS_INTERVAL_S: '1' });

  const webhookRuns = (source: string) =>
    rows<WebhookRunRow>(
      suite.db,
      `SELECT id, source, status, total, window_start AS "windowStart", date_trunc('hour', now(), 'UTC') AS "currentHour"
       FROM tds_sync_runs WHERE kind = 'webhook' AND source = $1 ORDER BY id`,
      [source],
    );
  /** Moves the run's hour `hours` back (2 or more: over, margin included), as if that time had passed; one run per source and hour still. */
  const endHour = (id: number, hours: number) =>
    suite.db.query(`UPDATE tds_sync_runs SET window_start = window_start - make_interval(hours => $2) WHERE id = $1`, [id, hours]);
  const queueRunIds = (queueItemIds: number[]) =>
    rows<{ syncRunId: number }>(suite.db, `SELECT DISTINCT sync_run_id AS "syncRunId" FROM tds_sync_queue WHERE id = ANY ($1::bigint[])`, [
      queueItemIds,
    ]).then((found) => found.map((row) => row.syncRunId));

  // The runs are named by the database's hour: a test that began in an hour's last seconds waits for the next one.
  beforeEach(async () => {
    const [{ left }] = await rows<{ left: number }>(
      suite.db,
      `SELECT extract(epoch FROM date_trunc('hour', now(), 'UTC') + interval '1 hour' - now())::float8 AS left`,
    );
    if (left < 30) await sleep(left * 1000 + 500);
  });

  it('counts every stored delivery of a source into one run, not duplicates, and keeps it running while its hour lasts', async () => {
    // Six contacts and a redelivery of the first, all at once (several concurrent groups race to create the run).
    const burst = await Promise.all([1, 2, 3, 4, 5, 6, 1].map((n) => deliver(suite.app, 'zoho', contact(n))));
    expect(burst.map((res) => res.statusCode).sort()).toEqual([200, 202, 202, 202, 202, 202, 202]);
    // A later redelivery: 200 again, nothing queued.
    const again = await deliver(suite.app, 'zoho', contact(2));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ duplicate: true });
    // Two edits of one record: both queued; the older is superseded when applied.
    const older = await deliver(suite.app, 'zoho', contact(7, { last_modified_time: '2025-11-18T02:02:51+0300' }));
    const newer = await deliver(suite.app, 'zoho', contact(7, { last_modified_time: '2025-11-18T03:15:00+0300' }));
    expect([older.statusCode, newer.statusCode]).toEqual([202, 202]);

    const runs = await webhookRuns('zoho');
    expect(runs).toHaveLength(1);
    const [run] = runs;
    expect(run.windowStart).toEqual(run.currentHour);
    const accepted = [...burst, older, newer].filter((res) => res.statusCode === 202);
    const queueItemIds = accepted.flatMap((res) => res.json().queueItemIds as number[]);
    expect(queueItemIds).toHaveLength(8);
    expect(await queueRunIds(queueItemIds)).toEqual([run.id]);
    expect(await getRun(suite.app, run.id)).toMatchObject({
      kind: 'webhook',
      source: 'zoho',
      entityType: null,
      status: 'running',
      total: 8,
      processed: 0,
      windowStart: run.currentHour.toISOString(),
    });
    // One started event, written by whichever group created the run, with that group's items.
    const started = await runEvents(suite.db, run.id);
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({ eventType: 'tds.sync.started', correlationId: `sync-run:${run.id}` });
    expect(started[0].payload).toEqual({ syncRunId: run.id, kind: 'webhook', source: 'zoho', entityType: null, total: expect.any(Number) });
    expect(started[0].payload.total as number).toBeGreaterThanOrEqual(1);
    expect(started[0].payload.total as number).toBeLessThanOrEqual(2);

    failPermanently(suite.app, [{ sourceEntityId: 'wr-3' }]);
    await drain(suite.app);
    expect(await itemStatuses(suite.db, run.id)).toEqual({ completed: 6, dead_letter: 1, superseded: 1 });
    // Every item is processed, but the hour is not over: still running, no closing event, and the job leaves it.
    expect(await getRun(suite.app, run.id)).toMatchObject({
      status: 'running',
      total: 8,
      processed: 8,
      succeeded: 6,
      failed: 1,
      skipped: 1,
      completedAt: null,
    });
    expect(await runJob(suite.app, CLOSE_JOB)).toMatchObject({ outcome: 'succeeded', detail: { closed: 0 } });
    expect((await runEvents(suite.db, run.id)).map((e) => e.eventType)).toEqual(['tds.sync.started']);

    // The hour is over: the job closes it (its last item finished while the hour was on), partial.
    await endHour(run.id, 2);
    expect(await runJob(suite.app, CLOSE_JOB)).toMatchObject({ outcome: 'succeeded', detail: { closed: 1 } });
    const closed = await getRun(suite.app, run.id);
    expect(closed).toMatchObject({ status: 'partial', total: 8, processed: 8, succeeded: 6, failed: 1, skipped: 1 });
    expect(closed.completedAt).not.toBeNull();
    const events = await runEvents(suite.db, run.id);
    expect(events.map((e) => e.eventType)).toEqual(['tds.sync.started', 'tds.sync.completed']);
    expect(events[1].payload).toEqual({
      syncRunId: run.id,
      entityType: null,
      total: 8,
      succeeded: 6,
      failed: 1,
      skipped: 1,
      durationMs: closed.durationMs,
    });
    // Closed once: the next tick finds nothing to close.
    expect(await runJob(suite.app, CLOSE_JOB)).toMatchObject({ detail: { closed: 0 } });

    // The partial run raises a warning naming it and its counts, notified through the alert event.
    await evaluate(suite.app);
    const [alert] = await alertsOf(suite.db, `sync_run_unsuccessful:sync-run:${run.id}`);
    expect(alert).toMatchObject({
      rule: 'sync_run_unsuccessful',
      severity: 'warning',
      status: 'active',
      entityType: null,
      message: `Sync run ${run.id} (webhook, zoho) ended partial: 1 of 8 items failed, 6 succeeded, 1 skipped`,
      actual: { syncRunId: run.id, kind: 'webhook', status: 'partial', total: 8, succeeded: 6, failed: 1, skipped: 1 },
    });
    expect(await eventsOf(suite.db, 'tds.alert.triggered', alert.id)).toEqual([
      { alertId: alert.id, rule: 'sync_run_unsuccessful', severity: 'warning', message: alert.message, affectedCount: 1 },
    ]);
    // Evaluated again: the same alert, not a second one.
    await evaluate(suite.app);
    expect(await alertsOf(suite.db, `sync_run_unsuccessful:sync-run:${run.id}`)).toHaveLength(1);
    failPermanently(suite.app, []);
  });

  it('gives another source its own run; one whose last item finishes after its hour closes with that batch, failed', async () => {
    const [zohoBefore] = await webhookRuns('zoho');
    const accepted = [await genericDelivery(suite.app, 'g-1'), await genericDelivery(suite.app, 'g-2')];
    expect(accepted.map((res) => res.statusCode)).toEqual([202, 202]);
    expect((await genericDelivery(suite.app, 'g-1')).statusCode).toBe(200);

    const runs = await webhookRuns('generic');
    expect(runs).toHaveLength(1);
    const [run] = runs;
    expect(run.id).not.toBe(zohoBefore.id);
    expect(await queueRunIds(accepted.flatMap((res) => res.json().queueItemIds as number[]))).toEqual([run.id]);
    expect(await getRun(suite.app, run.id)).toMatchObject({ kind: 'webhook', source: 'generic', status: 'running', total: 2, processed: 0 });
    // The zoho run is untouched.
    expect(await webhookRuns('zoho')).toEqual([zohoBefore]);

    // Its hour is over but its items are not processed: the job leaves it to the workers.
    await endHour(run.id, 2);
    expect(await runJob(suite.app, CLOSE_JOB)).toMatchObject({ detail: { closed: 0 } });
    expect(await getRun(suite.app, run.id)).toMatchObject({ status: 'running' });

    failPermanently(suite.app, [{ sourceEntityId: 'g-1' }, { sourceEntityId: 'g-2' }]);
    await drain(suite.app);
    failPermanently(suite.app, []);
    expect(await getRun(suite.app, run.id)).toMatchObject({ status: 'failed', total: 2, processed: 2, succeeded: 0, failed: 2, skipped: 0 });
    const events = await runEvents(suite.db, run.id);
    expect(events.map((e) => [e.eventType, e.payload])).toEqual([
      ['tds.sync.started', { syncRunId: run.id, kind: 'webhook', source: 'generic', entityType: null, total: 1 }],
      [
        'tds.sync.failed',
        { syncRunId: run.id, entityType: null, errorCode: 'SYNC.ALL_ITEMS_FAILED', errorMessage: 'all 2 items of the run failed' },
      ],
    ]);

    await evaluate(suite.app);
    const [alert] = await alertsOf(suite.db, `sync_run_unsuccessful:sync-run:${run.id}`);
    expect(alert).toMatchObject({
      severity: 'error',
      status: 'active',
      message: `Sync run ${run.id} (webhook, generic) ended failed: 2 of 2 items failed, 0 succeeded, 0 skipped`,
    });
    expect(await eventsOf(suite.db, 'tds.alert.triggered', alert.id)).toHaveLength(1);
  });

  it('joins a run another transaction created after the group began, adding to its total without a second started event', async () => {
    // Another instance's group creating the generic run of this hour, not committed yet (generic's earlier run is in a past hour now).
    const other = suite.db.createQueryRunner();
    await other.connect();
    let created: number;
    try {
      await other.startTransaction();
      [{ id: created }] = await other.query(
        `INSERT INTO tds_sync_runs (kind, source, status, total, started_at, window_start)
         VALUES ('webhook', 'generic', 'running', 5, now(), date_trunc('hour', now(), 'UTC')) RETURNING id`,
      );
      // This group's snapshot does not see that run: its insert of the run waits for the other transaction, then finds it.
      const pending = genericDelivery(suite.app, 'g-3');
      await waitForLockWaiter(suite.db, '%WITH delivery AS%');
      await other.commitTransaction();
      const res = await pending;
      expect(res.statusCode).toBe(202);
      expect(await queueRunIds(res.json().queueItemIds)).toEqual([created]);
    } finally {
      await other.release();
    }
    expect(await getRun(suite.app, created)).toMatchObject({ status: 'running', total: 6, processed: 0 });
    expect(await runEvents(suite.db, created)).toEqual([]);
    await endHour(created, 3);
  });

  it("starts a new run for a source's new hour, which closes completed without an alert", async () => {
    const [past] = await webhookRuns('zoho');
    const res = await deliver(suite.app, 'zoho', contact(8));
    expect(res.statusCode).toBe(202);
    const runs = await webhookRuns('zoho');
    expect(runs.map((r) => r.id)).toEqual([past.id, expect.any(Number)]);
    const run = runs[1];
    expect(run.windowStart).toEqual(run.currentHour);
    expect(await queueRunIds(res.json().queueItemIds)).toEqual([run.id]);
    // The closed run of the past hour is left as it was.
    expect(await getRun(suite.app, past.id)).toMatchObject({ status: 'partial', total: 8, processed: 8 });

    await endHour(run.id, 3);
    await drain(suite.app);
    const closed = await getRun(suite.app, run.id);
    expect(closed).toMatchObject({ status: 'completed', total: 1, processed: 1, succeeded: 1, failed: 0, skipped: 0 });
    const events = await runEvents(suite.db, run.id);
    expect(events.map((e) => e.eventType)).toEqual(['tds.sync.started', 'tds.sync.completed']);
    expect(events[1].payload).toEqual({
      syncRunId: run.id,
      entityType: null,
      total: 1,
      succeeded: 1,
      failed: 0,
      skipped: 0,
      durationMs: closed.durationMs,
    });
    await evaluate(suite.app);
    expect(await alertsOf(suite.db, `sync_run_unsuccessful:sync-run:${run.id}`)).toEqual([]);
  });

  it('refuses to cancel a webhook run with 409 SYNC_RUN.WEBHOOK_NOT_CANCELLABLE, leaving it and its items as they are', async () => {
    expect((await genericDelivery(suite.app, 's-1', 'slow')).statusCode).toBe(202);
    const [run] = await webhookRuns('slow');
    const res = await cancelRun(suite.app, run.id);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ statusCode: 409, error: 'SYNC_RUN.WEBHOOK_NOT_CANCELLABLE' });
    expect(res.json().message).toContain(`Sync run ${run.id} is a webhook run`);
    expect(await getRun(suite.app, run.id)).toMatchObject({ status: 'running', total: 1, processed: 0 });
    expect(await itemStatuses(suite.db, run.id)).toEqual({ pending: 1 });
  });

  it('lists the webhook runs under ?kind=webhook, newest first', async () => {
    const all = await rows<{ id: number }>(suite.db, `SELECT id FROM tds_sync_runs WHERE kind = 'webhook' ORDER BY created_at DESC, id DESC`);
    expect(all).toHaveLength(5);
    const res = await suite.app.inject({
      method: 'GET',
      url: '/api/tds/sync-runs?kind=webhook',
      headers: { authorization: `Bearer ${KEYS.viewer}` },
    });
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { id: number; kind: string; windowStart: string }[];
    expect(items.map((item) => item.id)).toEqual(all.map((run) => run.id));
    for (const item of items) expect(item).toMatchObject({ kind: 'webhook', windowStart: expect.stringMatching(/T\d\d:00:00\.000Z$/) });
  });
});
