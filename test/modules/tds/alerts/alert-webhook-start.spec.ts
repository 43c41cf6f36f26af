import { DataSource } from 'typeorm';
import { ReactionRedeliveryService } from '../../../../src/modules/tds/reactions/reaction-redelivery.service.js';
import { createTestApp, type TestApp } from '../../../support/create-test-app.js';
import { rows } from '../../../support/queue-fixtures.js';
import type { Db } from '../../../support/queue-fixtures.js';
import { eventually } from '../../../support/spawn-app.js';
import { createTestDatabase, describePostgres, type TestDatabase } from '../../../support/test-database.js';
import { ALERT_TEST_ENV, Receiver, receiverReaction, WEBHOOK_SECRET } from './alerts-test-kit.js';

/** A triggered-alert event as the evaluator writes it; `dispatchedAgo` null: not relayed yet. */
async function alertEvent(db: Db, alertId: number, dispatchedAgo: string | null): Promise<string> {
  const [row] = await rows<{ eventId: string }>(
    db,
    `INSERT INTO tds_outbox (event_type, correlation_id, causation_id, payload, created_at, dispatched_at)
     VALUES ('tds.alert.triggered', 'alert:' || $1, 'alert:' || $1,
             jsonb_build_object('alertId', $1::bigint, 'rule', 'queue_backlog', 'severity', 'warning',
                                'message', 'backlog', 'affectedCount', 1),
             now() - COALESCE($2::interval, '0'), now() - $2::interval)
     RETURNING event_id AS "eventId"`,
    [alertId, dispatchedAgo],
  );
  if (dispatchedAgo === null) await db.query(`SELECT pg_notify('tds_outbox', '')`);
  return row.eventId;
}

/**
 * A receiver added to a running deployment hears the alerts from then on, not the day of old
 * alert events still in the outbox, which the redelivery sweep would otherwise take for lost
 * deliveries to it.
 */
describePostgres('a newly configured alert receiver', () => {
  let database: TestDatabase;
  let testApp: TestApp | undefined;
  const receiver = new Receiver(() => 200);

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await testApp?.close();
    await database?.drop();
    await receiver.stop();
  });

  it('is not sent the alert events from before it was configured, and is sent every one after', async () => {
    // The deployment so far, without the receiver: two alerts went out long ago.
    const before = await createTestApp({ ...ALERT_TEST_ENV, DATABASE_URL: database.url });
    const db: Db = before.app.get(DataSource);
    await alertEvent(db, 1, '2 hours');
    await alertEvent(db, 2, '1 hour');
    await before.close();

    const url = await receiver.start();
    testApp = await createTestApp({
      ...ALERT_TEST_ENV,
      DATABASE_URL: database.url,
      TDS_OUTBOX_POLL_INTERVAL_MS: '50',
      TDS_REACTION_SWEEP_INTERVAL_MS: '3600000',
      TDS_REACTION_REDELIVER_AFTER_MS: '100',
      TDS_ALERT_WEBHOOK_URLS: url,
      TDS_ALERT_WEBHOOK_SECRET: WEBHOOK_SECRET,
    });
    const app = testApp.app;
    const name = receiverReaction(url);
    const [cursor] = await rows<{ checkedUpTo: number }>(
      app.get(DataSource),
      `SELECT checked_up_to AS "checkedUpTo" FROM tds_reaction_cursors WHERE reaction = $1`,
      [name],
    );
    const [{ last }] = await rows<{ last: number }>(app.get(DataSource), `SELECT max(id) AS last FROM tds_outbox`);
    expect(cursor.checkedUpTo).toBe(last);

    // The sweep owes it nothing (a reaction starting at the beginning would be sent both old events).
    expect(await app.get(ReactionRedeliveryService).sweepOnce()).toBe(0);
    expect(receiver.calls).toHaveLength(0);

    const fresh = await alertEvent(app.get(DataSource), 3, null);
    await eventually(() => expect(receiver.calls.map((call) => call.headers['x-tds-event-id'])).toEqual([fresh]), 30_000);
    // Once delivered, a later sweep sends it nothing again.
    expect(await app.get(ReactionRedeliveryService).sweepOnce()).toBe(0);
    expect(receiver.calls).toHaveLength(1);
  });
});
