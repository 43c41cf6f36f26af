import { createHmac, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../../../support/create-test-app.js';
import { rows } from '../../../support/queue-fixtures.js';
import { eventually } from '../../../support/spawn-app.js';
import { describeEachBackend } from '../../../support/test-database.js';
import { acknowledge, alertsOf, evaluate, ALERT_TEST_ENV, Receiver, receiverReaction, waitingItems, WEBHOOK_SECRET } from './alerts-test-kit.js';
import type { Call } from './alerts-test-kit.js';

const TIMEOUT_MS = 300;

/** What a receiver does with the secret: recompute the signature over timestamp + '.' + raw body. */
function signatureVerifies(call: Call): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', WEBHOOK_SECRET).update(`${call.headers['x-tds-timestamp']}.${call.body}`).digest('hex')}`);
  const given = Buffer.from(String(call.headers['x-tds-signature']));
  return given.length === expected.length && timingSafeEqual(given, expected);
}


describeEachBackend('alert webhooks', (backend) => {
  const steady = new Receiver(() => 200);
  const flaky = new Receiver((n) => (n === 1 ? 500 : 204));
  const broken = new Receiver(() => 500);
  const silent = new Receiver(() => null);
  const urls: Record<'steady' | 'flaky' | 'broken' | 'silent', string> = { steady: '', flaky: '', broken: '', silent: '' };
  let testApp: TestApp;
  let db: DataSource;

  const failuresOf = (url: string) =>
    rows<{ attempts: number; resolved: boolean; exhausted: boolean; lastError: string }>(
      db,
      `SELECT attempts, resolved_at IS NOT NULL AS resolved, exhausted_at IS NOT NULL AS exhausted, last_error AS "lastError"
       FROM tds_reaction_failures WHERE reaction = $1 ORDER BY id`,
      [receiverReaction(url)],
    );

  beforeAll(async () => {
    urls.steady = await steady.start();
    urls.flaky = await flaky.start();
    urls.broken = await broken.start();
    urls.silent = await silent.start();
    testApp = await createTestApp({
      ...backend.env,
      ...ALERT_TEST_ENV,
      TDS_OUTBOX_POLL_INTERVAL_MS: '50',
      TDS_REACTION_BACKOFF_BASE_MS: '20',
      TDS_REACTION_BACKOFF_CAP_MS: '100',
      TDS_REACTION_MAX_ATTEMPTS: '3',
      TDS_REACTION_SWEEP_INTERVAL_MS: '100',
      TDS_REACTION_REDELIVER_AFTER_MS: '500',
      TDS_ALERT_BACKLOG_THRESHOLD: '1',
      TDS_ALERT_WEBHOOK_URLS: [urls.steady, urls.flaky, urls.broken, urls.silent].join(','),
      TDS_ALERT_WEBHOOK_SECRET: WEBHOOK_SECRET,
      TDS_ALERT_WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
    });
    db = testApp.app.get(DataSource);
  });
  afterAll(async () => {
    await testApp?.close();
    await backend.cleanup();
    for (const receiver of [steady, flaky, broken, silent]) await receiver.stop();
  });

  it('each receiver gets the triggered alert signed; a 500 is retried until it succeeds, without a second call to the others; a receiver that keeps failing ends exhausted and alerted', async () => {
    await waitingItems(db, 1);
    await evaluate(testApp.app);
    const [alert] = await alertsOf(db, 'queue_backlog');
    const [{ eventId }] = await rows<{ eventId: string }>(
      db,
      `SELECT event_id AS "eventId" FROM tds_outbox WHERE event_type = 'tds.alert.triggered' AND (payload ->> 'alertId')::bigint = $1`,
      [alert.id],
    );

    await eventually(() => expect(steady.calls).toHaveLength(1), 30_000);
    const [call] = steady.calls;
    expect(signatureVerifies(call)).toBe(true);
    expect(call.headers).toMatchObject({ 'content-type': 'application/json', 'x-tds-event-id': eventId, 'x-tds-event-type': 'tds.alert.triggered' });
    expect(Math.abs(Number(call.headers['x-tds-timestamp']) - Date.now() / 1000)).toBeLessThan(300);
    expect(JSON.parse(call.body)).toEqual({
      eventId,
      eventType: 'tds.alert.triggered',
      occurredAt: expect.any(String),
      correlationId: `alert:${alert.id}`,
      causationId: `alert:${alert.id}`,
      alertId: alert.id,
      rule: 'queue_backlog',
      severity: 'warning',
      message: alert.message,
      affectedCount: 1,
    });
    // A signature over another body does not verify.
    expect(signatureVerifies({ ...call, body: call.body.replace('warning', 'critical') })).toBe(false);

    // The 500 was recorded as a failure and retried by the sweep: the same event, signed again.
    await eventually(async () => {
      expect(flaky.calls.map((c) => c.status)).toEqual([500, 204]);
      expect(await failuresOf(urls.flaky)).toEqual([{ attempts: 1, resolved: true, exhausted: false, lastError: 'Error: alert webhook answered 500' }]);
    }, 30_000);
    for (const retried of flaky.calls) {
      expect(retried.headers['x-tds-event-id']).toBe(eventId);
      expect(signatureVerifies(retried)).toBe(true);
    }

    await eventually(async () => {
      expect(await failuresOf(urls.broken)).toEqual([
        { attempts: expect.any(Number), resolved: false, exhausted: true, lastError: 'Error: alert webhook answered 500' },
      ]);
      expect(await failuresOf(urls.silent)).toEqual([
        { attempts: expect.any(Number), resolved: false, exhausted: true, lastError: `Error: alert webhook gave no answer within ${TIMEOUT_MS} ms` },
      ]);
    }, 60_000);
    expect(broken.calls.length).toBeGreaterThanOrEqual(3);
    // The others' retries never reached the receiver that had answered.
    expect(steady.calls).toHaveLength(1);
    expect(flaky.calls).toHaveLength(2);

    await evaluate(testApp.app);
    const [failing] = await alertsOf(db, 'failing_reactions');
    expect(failing).toMatchObject({ status: 'active', severity: 'error' });
    expect(failing.actual).toMatchObject({ exhausted: 2, reactions: [receiverReaction(urls.broken), receiverReaction(urls.silent)].sort() });
    // Neither the failures nor the alert name a URL (which may carry a token) or the secret.
    const stored = JSON.stringify([failing, await failuresOf(urls.broken), await failuresOf(urls.silent)]);
    expect(stored).not.toContain('127.0.0.1');
    expect(stored).not.toContain('receiver-token');
    expect(stored).not.toContain(WEBHOOK_SECRET);
  });

  it('an acknowledgement is sent too', async () => {
    const [alert] = await alertsOf(db, 'queue_backlog');
    await acknowledge(testApp.app, alert.id, 'operator:ann');
    await eventually(() => {
      const acknowledgements = steady.bodies().filter((body) => body.eventType === 'tds.alert.acknowledged');
      expect(acknowledgements).toEqual([expect.objectContaining({ alertId: alert.id, acknowledgedBy: 'operator:ann' })]);
    }, 30_000);
    const call = steady.calls.find((c) => c.headers['x-tds-event-type'] === 'tds.alert.acknowledged')!;
    expect(signatureVerifies(call)).toBe(true);
  });
});
