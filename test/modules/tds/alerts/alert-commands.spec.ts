import { QueryBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { ListAlertsQuery } from '../../../../src/modules/tds/public.js';
import type { AlertPage, AlertView, ListAlertsParams } from '../../../../src/modules/tds/public.js';
import { createTestApp, type TestApp } from '../../../support/create-test-app.js';
import { rows } from '../../../support/queue-fixtures.js';
import { describeEachBackend } from '../../../support/test-database.js';
import { acknowledge, alertById, alertsOf, completeItems, evaluate, eventsOf, healthy, ALERT_TEST_ENV, waitingItems } from './alerts-test-kit.js';

const ENV = { ...ALERT_TEST_ENV, TDS_OUTBOX_RELAY_ENABLED: 'false', TDS_ALERT_BACKLOG_THRESHOLD: '1' };

describeEachBackend('alert acknowledgement and listing', (backend) => {
  let testApp: TestApp;
  let db: DataSource;

  beforeAll(async () => {
    testApp = await createTestApp({ ...backend.env, ...ENV });
    db = testApp.app.get(DataSource);
  });
  afterAll(async () => {
    await testApp?.close();
    await backend.cleanup();
  });

  describe('AcknowledgeAlertCommand', () => {
    afterEach(() => healthy(db));

    async function backlogAlert(): Promise<{ alertId: number; itemIds: number[] }> {
      const itemIds = await waitingItems(db, 1);
      await evaluate(testApp.app);
      const [alert] = await alertsOf(db, 'queue_backlog');
      return { alertId: alert.id, itemIds };
    }

    it('records who and when, writes one acknowledged event; acknowledging again (even at once) changes nothing', async () => {
      const { alertId } = await backlogAlert();
      const before = Date.now();
      const first = await Promise.all(['operator:ann', 'operator:bob', 'operator:cy'].map((who) => acknowledge(testApp.app, alertId, who)));
      const acknowledged = first[0];
      expect(acknowledged).toMatchObject({ id: alertId, rule: 'queue_backlog', status: 'acknowledged', resolvedAt: null });
      expect(['operator:ann', 'operator:bob', 'operator:cy']).toContain(acknowledged.acknowledgedBy);
      expect(Date.parse(acknowledged.acknowledgedAt!)).toBeGreaterThanOrEqual(before - 1000);
      // Whoever came first is the one recorded, for everybody.
      for (const answer of first) expect(answer).toEqual(acknowledged);

      const again = await acknowledge(testApp.app, alertId, 'operator:dee');
      expect(again).toEqual(acknowledged);
      expect(await eventsOf(db, 'tds.alert.acknowledged', alertId)).toEqual([{ alertId, acknowledgedBy: acknowledged.acknowledgedBy }]);
    });

    it('an acknowledged alert still resolves when its condition clears; a resolved alert cannot be acknowledged (409)', async () => {
      const { alertId, itemIds } = await backlogAlert();
      await acknowledge(testApp.app, alertId, 'operator:ann');
      await evaluate(testApp.app);
      expect(await alertById(db, alertId)).toMatchObject({ status: 'acknowledged' });

      await completeItems(db, itemIds);
      expect(await evaluate(testApp.app)).toMatchObject({ resolved: 1, open: 0 });
      expect(await alertById(db, alertId)).toMatchObject({ status: 'resolved', resolvedAt: expect.any(Date) });
      await expect(acknowledge(testApp.app, alertId, 'operator:bob')).rejects.toMatchObject({ code: 'ALERT.ALREADY_RESOLVED', status: 409 });
      expect(await eventsOf(db, 'tds.alert.acknowledged', alertId)).toHaveLength(1);
    });

    it('an unknown alert is ALERT.NOT_FOUND (404)', async () => {
      await expect(acknowledge(testApp.app, 987654321, 'operator:ann')).rejects.toMatchObject({ code: 'ALERT.NOT_FOUND', status: 404 });
    });
  });

  describe('ListAlertsQuery', () => {
    /** Inserted as they are, listed newest first: two share a timestamp (the id breaks the tie), two are 1 µs apart. */
    const SEEDED = [
      { rule: 'list_a', severity: 'warning', status: 'active', at: '2030-01-01T00:00:00.000001Z' },
      { rule: 'list_a', severity: 'critical', status: 'resolved', at: '2030-01-01T00:00:00.000002Z' },
      { rule: 'list_b', severity: 'critical', status: 'acknowledged', at: '2030-01-01T00:00:00.000002Z' },
      { rule: 'list_b', severity: 'info', status: 'active', at: '2030-01-01T00:00:01Z' },
      { rule: 'list_a', severity: 'error', status: 'resolved', at: '2030-01-02T00:00:00Z' },
      { rule: 'list_c', severity: 'warning', status: 'acknowledged', at: '2030-01-03T00:00:00Z' },
      { rule: 'list_a', severity: 'critical', status: 'active', at: '2030-01-04T00:00:00Z' },
    ];
    let seeded: { id: number; rule: string; severity: string; status: string }[];

    beforeAll(async () => {
      await healthy(db);
      seeded = [];
      for (const [i, alert] of SEEDED.entries()) {
        const [row] = await rows<{ id: number }>(
          db,
          `INSERT INTO tds_alerts (rule, fingerprint, severity, title, message, status, triggered_at, resolved_at, acknowledged_at, acknowledged_by)
           VALUES ($1, $1 || ':' || $5, $2, 'Seeded', 'seeded alert', $3, $4,
                   CASE WHEN $3 = 'resolved' THEN now() END, CASE WHEN $3 = 'acknowledged' THEN now() END, CASE WHEN $3 = 'acknowledged' THEN 'test' END)
           RETURNING id`,
          [alert.rule, alert.severity, alert.status, alert.at, i],
        );
        seeded.push({ id: Number(row.id), ...alert });
      }
    });

    const list = (params: ListAlertsParams): Promise<AlertPage> => testApp.app.get(QueryBus).execute(new ListAlertsQuery(params));

    async function allPages(params: Omit<ListAlertsParams, 'cursor'>): Promise<AlertView[][]> {
      const pages: AlertView[][] = [];
      let cursor: string | null = null;
      do {
        const page: AlertPage = await list({ ...params, cursor });
        pages.push(page.items);
        cursor = page.nextCursor;
      } while (cursor !== null && pages.length < 20);
      return pages;
    }

    /** Newest first; equal timestamps: higher id first. */
    const expectedIds = (keep: (alert: (typeof seeded)[number]) => boolean) =>
      seeded
        .map((alert, i) => ({ ...alert, at: SEEDED[i].at }))
        .filter(keep)
        .sort((a, b) => (a.at === b.at ? b.id - a.id : a.at < b.at ? 1 : -1))
        .map((alert) => alert.id);

    it('pages newest first by (triggered_at, id), every alert exactly once, microseconds apart included', async () => {
      const pages = await allPages({ limit: 3 });
      expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
      expect(pages.flat().map((alert) => alert.id)).toEqual(expectedIds(() => true));
      const [newest] = pages[0];
      expect(newest).toMatchObject({ rule: 'list_a', severity: 'critical', status: 'active', triggeredAt: '2030-01-04T00:00:00.000Z', resolvedAt: null });
    });

    it.each([
      ['status open', { status: 'open' as const }, (a: (typeof seeded)[number]) => a.status !== 'resolved'],
      ['status acknowledged', { status: 'acknowledged' as const }, (a: (typeof seeded)[number]) => a.status === 'acknowledged'],
      ['severity critical', { severity: 'critical' as const }, (a: (typeof seeded)[number]) => a.severity === 'critical'],
      ['rule and status', { rule: 'list_a', status: 'resolved' as const }, (a: (typeof seeded)[number]) => a.rule === 'list_a' && a.status === 'resolved'],
    ])('filters: %s', async (_name, filter, keep) => {
      const pages = await allPages({ ...filter, limit: 2 });
      expect(pages.flat().map((alert) => alert.id)).toEqual(expectedIds(keep));
    });

    it('a cursor that is not one is refused (422)', async () => {
      await expect(list({ limit: 2, cursor: 'bm90IGEgY3Vyc29y' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', status: 422 });
      const forged = Buffer.from(JSON.stringify(["2030-01-01'; --", 1])).toString('base64url');
      await expect(list({ limit: 2, cursor: forged })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', status: 422 });
    });
  });
});
