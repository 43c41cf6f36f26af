import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { JobScheduler } from '../../../../src/modules/tds/jobs/job-scheduler.js';
import { runJob } from '../jobs/jobs-test-kit.js';
import { createTestApp, type TestApp } from '../../../support/create-test-app.js';
import { rows } from '../../../support/queue-fixtures.js';
import { eventually } from '../../../support/spawn-app.js';
import { describeEachBackend } from '../../../support/test-database.js';
import {
  alertById,
  alertsOf,
  completeItems,
  deadLetters,
  evaluate,
  eventsOf,
  healthy,
  metricRow,
  ALERT_TEST_ENV,
  reactionFailures,
  waitingItems,
} from './alerts-test-kit.js';

const ENV = {
  ...ALERT_TEST_ENV,
  // Events stay in the outbox, where the tests read them.
  TDS_OUTBOX_RELAY_ENABLED: 'false',
  TDS_ALERT_EVALUATE_INTERVAL_S: '7',
  TDS_ALERT_BACKLOG_THRESHOLD: '5',
  TDS_ALERT_SYNC_LAG_SECONDS: '600',
  TDS_ALERT_STALLED_SECONDS: '600',
  TDS_ALERT_FAILURE_RATE_PERCENT: '20',
  TDS_ALERT_FAILURE_RATE_MIN_VOLUME: '10',
  TDS_ALERT_DEAD_LETTER_THRESHOLD: '3',
  TDS_ALERT_NO_SUCCESS_MINUTES: '30',
  TDS_ALERT_LONG_TRANSACTION_SECONDS: '2',
  TDS_ALERT_OUTBOX_LAG_SECONDS: '600',
  TDS_ALERT_REACTION_FAILURES_THRESHOLD: '2',
};

const HOUR_S = 3600;

describeEachBackend('alert rules', (backend) => {
  let testApp: TestApp;
  let db: DataSource;
  const evaluateNow = () => evaluate(testApp.app);

  beforeAll(async () => {
    testApp = await createTestApp({ ...backend.env, ...ENV });
    db = testApp.app.get(DataSource);
  });
  afterEach(() => healthy(db));
  afterAll(async () => {
    await testApp?.close();
    await backend.cleanup();
  });

  it('a healthy system raises nothing', async () => {
    expect(await evaluateNow()).toEqual({ triggered: 0, renotified: 0, resolved: 0, open: 0 });
  });

  interface RuleCase {
    fingerprint: string;
    severity: string;
    affectedCount: number;
    postgresOnly?: boolean;
    /** Sets up real state in which the condition holds; returns what makeFalse needs. */
    makeTrue(): Promise<() => Promise<unknown>>;
  }

  const cases: RuleCase[] = [
    {
      fingerprint: 'queue_backlog',
      severity: 'warning',
      affectedCount: 5,
      makeTrue: async () => {
        const ids = await waitingItems(db, 5);
        return () => completeItems(db, ids.slice(0, 1));
      },
    },
    {
      fingerprint: 'sync_lag',
      severity: 'warning',
      affectedCount: 1,
      makeTrue: async () => {
        const ids = await waitingItems(db, 1, HOUR_S);
        // Workers alive (a batch just claimed elsewhere) but behind: lag, not a stall.
        await db.query(`INSERT INTO tds_batch_claims (worker_id, item_ids) VALUES ('elsewhere/worker-1', '{}')`);
        return () => completeItems(db, ids);
      },
    },
    {
      fingerprint: 'workers_stalled',
      severity: 'critical',
      affectedCount: 2,
      makeTrue: async () => {
        await waitingItems(db, 2, HOUR_S);
        // A batch finishing (whatever its outcome) is progress: it writes its metric bucket.
        return () => metricRow(db, 'product', { failed: 1 });
      },
    },
    {
      fingerprint: 'failure_rate:invoice',
      severity: 'error',
      affectedCount: 4,
      makeTrue: async () => {
        await metricRow(db, 'invoice', { applied: 6, failed: 4 });
        // Every attempt failed, but below the minimum volume: says nothing yet.
        await metricRow(db, 'customer', { failed: 5 });
        return () => metricRow(db, 'invoice', { applied: 100 });
      },
    },
    {
      fingerprint: 'dead_letter_growth',
      severity: 'error',
      affectedCount: 3,
      makeTrue: async () => {
        const ids = await deadLetters(db, 4);
        // Closed by its replay: not growth, so three count.
        await db.query(`UPDATE tds_dead_letters SET replayed_at = now(), replayed_by = 'test' WHERE id = $1`, [ids[3]]);
        return () => db.query(`UPDATE tds_dead_letters SET resolved_at = now(), resolved_by = 'test' WHERE id = $1`, [ids[0]]);
      },
    },
    {
      fingerprint: 'no_successful_sync:customer',
      severity: 'warning',
      affectedCount: 7,
      makeTrue: async () => {
        await metricRow(db, 'customer', { applied: 5 }, 120);
        await metricRow(db, 'customer', { received: 7 });
        return () => metricRow(db, 'customer', { unchanged: 1 });
      },
    },
    {
      fingerprint: 'outbox_lag',
      severity: 'error',
      affectedCount: 1,
      makeTrue: async () => {
        await db.query(
          `INSERT INTO tds_outbox (event_type, payload, created_at) VALUES ('tds.queue.empty', '{"workerId": "w"}', now() - interval '1 hour')`,
        );
        return () => db.query(`UPDATE tds_outbox SET dispatched_at = now() WHERE dispatched_at IS NULL`);
      },
    },
    {
      fingerprint: 'failing_reactions',
      severity: 'warning',
      affectedCount: 2,
      makeTrue: async () => {
        const ids = await reactionFailures(db, 2);
        return () => db.query(`UPDATE tds_reaction_failures SET resolved_at = now() WHERE id = $1`, [ids[0]]);
      },
    },
    {
      fingerprint: 'long_transaction',
      severity: 'warning',
      affectedCount: 1,
      postgresOnly: true,
      makeTrue: async () => {
        // Another session holds an xid, idle in its transaction: the vacuum horizon stays behind it.
        const holder = new Client({ connectionString: backend.env.DATABASE_URL });
        await holder.connect();
        await holder.query('BEGIN');
        await holder.query('SELECT txid_current()');
        return async () => {
          await holder.query('COMMIT');
          await holder.end();
        };
      },
    },
  ];

  // The long-transaction case needs a second session, which the embedded database does not have.
  for (const c of cases.filter((c) => !c.postgresOnly || backend.kind === 'postgres')) {
    it(`${c.fingerprint}: fires once while its condition holds, with its event, and resolves when it clears`, async () => {
      const makeFalse = await c.makeTrue();
      // The long transaction has to age past its threshold first.
      const [alert] = await eventually(async () => {
        await evaluateNow();
        const found = await alertsOf(db, c.fingerprint);
        expect(found).toHaveLength(1);
        return found;
      }, 30_000);
      expect(alert).toMatchObject({ status: 'active', severity: c.severity, resolvedAt: null });
      if (c.fingerprint.includes(':')) expect(alert.entityType).toBe(c.fingerprint.split(':')[1]);

      for (let i = 0; i < 3; i++) await evaluateNow();
      expect(await alertsOf(db, c.fingerprint)).toHaveLength(1);
      expect(await eventsOf(db, 'tds.alert.triggered', alert.id)).toEqual([
        { alertId: alert.id, rule: alert.rule, severity: c.severity, message: alert.message, affectedCount: c.affectedCount },
      ]);

      await makeFalse();
      const result = await evaluateNow();
      expect(result.resolved).toBe(1);
      expect(await alertById(db, alert.id)).toMatchObject({ status: 'resolved', resolvedAt: expect.any(Date) });
      // Resolution writes no event; the next occurrence is a new alert.
      expect(await eventsOf(db, 'tds.alert.triggered', alert.id)).toHaveLength(1);
    });
  }

  it('failure rate: a type below the minimum volume is not judged', async () => {
    await metricRow(db, 'customer', { failed: 9 });
    await evaluateNow();
    expect(await alertsOf(db, 'failure_rate:customer')).toEqual([]);
  });

  it('stalled workers: a batch claimed within the window is progress', async () => {
    const [id] = await waitingItems(db, 1, HOUR_S);
    await db.query(`INSERT INTO tds_batch_claims (worker_id, item_ids) VALUES ('elsewhere/worker-1', $1::bigint[])`, [[id]]);
    await evaluateNow();
    expect(await alertsOf(db, 'workers_stalled')).toEqual([]);
    // The item is late all the same.
    expect(await alertsOf(db, 'sync_lag')).toHaveLength(1);
  });

  it('no successful sync: a type that never synced successfully is not missed; an open alert outlives the lookback', async () => {
    await metricRow(db, 'price_list', { failed: 3 });
    await evaluateNow();
    expect(await alertsOf(db, 'no_successful_sync:price_list')).toEqual([]);

    await metricRow(db, 'sales_order', { applied: 1 }, 120);
    await evaluateNow();
    const [alert] = await alertsOf(db, 'no_successful_sync:sales_order');
    expect(alert.status).toBe('active');
    // The success leaves the lookback (retention, or just time): still no success, still open.
    await db.query(`DELETE FROM tds_metrics WHERE entity_type = 'sales_order'`);
    await evaluateNow();
    expect(await alertById(db, alert.id)).toMatchObject({ status: 'active', actual: { lastSuccessAt: null, received: 0 } });
  });

  it('an open alert follows the measurements while its condition lasts', async () => {
    await waitingItems(db, 5);
    await evaluateNow();
    const [alert] = await alertsOf(db, 'queue_backlog');
    expect(alert.actual).toEqual({ items: 5, pending: 5, retry: 0 });
    await waitingItems(db, 3);
    await evaluateNow();
    expect(await alertById(db, alert.id)).toMatchObject({ status: 'active', actual: { items: 8, pending: 8, retry: 0 } });
    expect(await eventsOf(db, 'tds.alert.triggered', alert.id)).toHaveLength(1);
  });

  it('failing reactions: an exhausted failure raises the severity and notifies again, even below the threshold', async () => {
    const [retrying] = await reactionFailures(db, 2);
    await evaluateNow();
    const [alert] = await alertsOf(db, 'failing_reactions');
    expect(alert.severity).toBe('warning');

    await db.query(`UPDATE tds_reaction_failures SET exhausted_at = now() WHERE id = $1`, [retrying]);
    expect(await evaluateNow()).toMatchObject({ triggered: 0, renotified: 1 });
    expect(await alertById(db, alert.id)).toMatchObject({ severity: 'error', status: 'active' });
    expect((await eventsOf(db, 'tds.alert.triggered', alert.id)).map((e) => e.severity)).toEqual(['warning', 'error']);

    // One open failure, exhausted: below the threshold of 2, still alerted.
    await db.query(`UPDATE tds_reaction_failures SET resolved_at = now() WHERE id <> $1`, [retrying]);
    await evaluateNow();
    expect(await alertById(db, alert.id)).toMatchObject({ severity: 'error', status: 'active', actual: { open: 1, exhausted: 1 } });
  });

  it('two evaluations at once open one alert and write one event', async () => {
    await waitingItems(db, 5);
    const results = await Promise.all([evaluateNow(), evaluateNow(), evaluateNow()]);
    expect(results.reduce((sum, r) => sum + r.triggered, 0)).toBe(1);
    const [alert, ...more] = await alertsOf(db, 'queue_backlog');
    expect(more).toEqual([]);
    expect(await eventsOf(db, 'tds.alert.triggered', alert.id)).toHaveLength(1);

    // A re-notification that falls due is made once too.
    await db.query(`UPDATE tds_alerts SET last_notified_at = now() - interval '2 hours' WHERE id = $1`, [alert.id]);
    const again = await Promise.all([evaluateNow(), evaluateNow(), evaluateNow()]);
    expect(again.reduce((sum, r) => sum + r.renotified, 0)).toBe(1);
    expect(await eventsOf(db, 'tds.alert.triggered', alert.id)).toHaveLength(2);
  });

  it('an active alert open past TDS_ALERT_RENOTIFY_SECONDS notifies again; an acknowledged one never does, and still resolves', async () => {
    const ids = await waitingItems(db, 5);
    await evaluateNow();
    const [alert] = await alertsOf(db, 'queue_backlog');
    const backdate = () => db.query(`UPDATE tds_alerts SET last_notified_at = now() - interval '61 minutes' WHERE id = $1`, [alert.id]);

    await evaluateNow();
    expect(await eventsOf(db, 'tds.alert.triggered', alert.id)).toHaveLength(1);
    await backdate();
    expect(await evaluateNow()).toMatchObject({ triggered: 0, renotified: 1 });
    const renotified = await alertById(db, alert.id);
    expect(Date.now() - renotified.lastNotifiedAt!.getTime()).toBeLessThan(HOUR_S * 1000);
    expect(await eventsOf(db, 'tds.alert.triggered', alert.id)).toHaveLength(2);
    await evaluateNow();
    expect(await eventsOf(db, 'tds.alert.triggered', alert.id)).toHaveLength(2);

    await db.query(`UPDATE tds_alerts SET status = 'acknowledged', acknowledged_at = now(), acknowledged_by = 'test' WHERE id = $1`, [alert.id]);
    await backdate();
    expect(await evaluateNow()).toMatchObject({ renotified: 0 });
    expect(await eventsOf(db, 'tds.alert.triggered', alert.id)).toHaveLength(2);

    await completeItems(db, ids);
    await evaluateNow();
    expect(await alertById(db, alert.id)).toMatchObject({ status: 'resolved', resolvedAt: expect.any(Date) });
  });

  it('a condition back within TDS_ALERT_REOPEN_WITHIN_SECONDS reopens its alert as it was, without notifying; later it opens a new one', async () => {
    const flap = async (backTo: 'true' | 'false') => {
      if (backTo === 'true') return waitingItems(db, 5);
      await db.query(`UPDATE tds_sync_queue SET status = 'completed', completed_at = now() WHERE status = 'pending'`);
      return [];
    };
    await flap('true');
    expect(await evaluateNow()).toMatchObject({ triggered: 1 });
    const [alert] = await alertsOf(db, 'queue_backlog');

    for (let round = 0; round < 3; round++) {
      await flap('false');
      expect(await evaluateNow()).toMatchObject({ resolved: 1, open: 0 });
      await flap('true');
      expect(await evaluateNow()).toMatchObject({ triggered: 0, renotified: 0, open: 1 });
      expect(await alertById(db, alert.id)).toMatchObject({ status: 'active', resolvedAt: null });
    }
    expect(await alertsOf(db, 'queue_backlog')).toHaveLength(1);
    expect(await eventsOf(db, 'tds.alert.triggered', alert.id)).toHaveLength(1);

    // Acknowledged before it cleared: it comes back acknowledged.
    await db.query(`UPDATE tds_alerts SET status = 'acknowledged', acknowledged_at = now(), acknowledged_by = 'test' WHERE id = $1`, [alert.id]);
    await flap('false');
    await evaluateNow();
    await flap('true');
    await evaluateNow();
    expect(await alertById(db, alert.id)).toMatchObject({ status: 'acknowledged', resolvedAt: null });

    // Gone for longer than the window: the next occurrence is a new alert, notified.
    await flap('false');
    await evaluateNow();
    await db.query(`UPDATE tds_alerts SET resolved_at = now() - interval '11 minutes' WHERE id = $1`, [alert.id]);
    await flap('true');
    expect(await evaluateNow()).toMatchObject({ triggered: 1, open: 1 });
    const all = await alertsOf(db, 'queue_backlog');
    expect(all).toHaveLength(2);
    const fresh = all.find((a) => a.id !== alert.id)!;
    expect(fresh).toMatchObject({ status: 'active' });
    expect(await eventsOf(db, 'tds.alert.triggered', fresh.id)).toHaveLength(1);
  });

  it('evaluation is the scheduled job alerts.evaluate, run at TDS_ALERT_EVALUATE_INTERVAL_S, its counts the run detail', async () => {
    const scheduler = testApp.app.get(JobScheduler);
    expect(scheduler.registered.find((job) => job.name === 'alerts.evaluate')).toMatchObject({ intervalSeconds: 7 });
    await waitingItems(db, 5);
    const run = await runJob(testApp.app, 'alerts.evaluate');
    expect(run).toMatchObject({ job: 'alerts.evaluate', outcome: 'succeeded', detail: { triggered: 1, renotified: 0, resolved: 0, open: 1 } });
    const [recorded] = await rows<{ detail: unknown }>(db, `SELECT detail FROM tds_job_runs WHERE job = 'alerts.evaluate' AND tick = $1`, [run.tick]);
    expect(recorded.detail).toEqual({ triggered: 1, renotified: 0, resolved: 0, open: 1 });
  });

  if (backend.kind === 'postgres') {
    it('a disabled rule is not evaluated: no new alert, and its open alert is left as it is', async () => {
      await waitingItems(db, 5);
      await evaluateNow();
      const [alert] = await alertsOf(db, 'queue_backlog');
      const other = await createTestApp({ ...backend.env, ...ENV, TDS_ALERT_DISABLED_RULES: 'queue_backlog,sync_lag' });
      try {
        await db.query(`DELETE FROM tds_sync_queue`);
        expect(await evaluate(other.app)).toMatchObject({ resolved: 0 });
        expect(await alertById(db, alert.id)).toMatchObject({ status: 'active' });
        // Resolved longer ago than the reopen window: an enabled rule would open a new alert here.
        await db.query(`UPDATE tds_alerts SET status = 'resolved', resolved_at = now() - interval '11 minutes' WHERE id = $1`, [alert.id]);
        await waitingItems(db, 5);
        expect(await evaluate(other.app)).toMatchObject({ triggered: 0 });
        expect(await alertsOf(db, 'queue_backlog')).toHaveLength(1);
        expect(await alertById(db, alert.id)).toMatchObject({ status: 'resolved' });
      } finally {
        await other.close();
      }
    });
  }
});
