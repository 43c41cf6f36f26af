import { DataSource } from 'typeorm';
import { apiKeyId, hashApiKey } from '../../../../src/shared/auth/api-key-hash.js';
import { createTestApp, type TestApp } from '../../../support/create-test-app.js';
import { rows } from '../../../support/queue-fixtures.js';
import { describeEachBackend } from '../../../support/test-database.js';
import { KEYS } from '../enqueue/enqueue-test-kit.js';
import { ALERT_TEST_ENV, alertsOf, completeItems, deadLetters, evaluate, healthy, reactionFailures, waitingItems } from './alerts-test-kit.js';

type Role = keyof typeof KEYS;

const ENV = {
  ...ALERT_TEST_ENV,
  TDS_API_KEYS: Object.entries(KEYS).map(([role, key]) => `${role}:${key}`).join(','),
  TDS_OUTBOX_RELAY_ENABLED: 'false',
  TDS_ALERT_BACKLOG_THRESHOLD: '1',
  TDS_ALERT_BACKLOG_SEVERITY: 'critical',
  TDS_ALERT_DEAD_LETTER_THRESHOLD: '1',
  TDS_ALERT_REACTION_FAILURES_THRESHOLD: '1',
};

interface Seed {
  severity?: string;
  status?: string;
  entityType?: string | null;
  /** Seconds before now; alerts sharing it share a timestamp (the id orders them). */
  secondsAgo?: number;
}

describeEachBackend('alerts over HTTP', (backend) => {
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
  beforeEach(() => healthy(db));

  /** null: no Authorization header. */
  const auth = (role: Role | null) => (role ? { authorization: `Bearer ${KEYS[role]}` } : {});
  const list = (query = '', role: Role | null = 'viewer') =>
    testApp.app.inject({ method: 'GET', url: `/api/tds/alerts${query}`, headers: auth(role) });
  const acknowledge = (id: number | string, role: Role | null = 'operator') =>
    testApp.app.inject({ method: 'POST', url: `/api/tds/alerts/${id}/acknowledge`, headers: auth(role) });

  let seeds = 0;
  /** Alerts inserted as they are (evaluation raises one per rule and entity type, too few to page through). */
  async function seed(alerts: Seed[]): Promise<number[]> {
    const ids: number[] = [];
    for (const { severity = 'warning', status = 'active', entityType = null, secondsAgo } of alerts) {
      const [row] = await rows<{ id: number }>(
        db,
        `INSERT INTO tds_alerts (rule, fingerprint, severity, title, message, entity_type, status, triggered_at,
                                 acknowledged_at, acknowledged_by, resolved_at)
         VALUES ('http_seed', 'http_seed:' || $1::text, $2, 'Seeded', 'seeded alert', $3, $4,
                 CASE WHEN $5::int IS NULL THEN now() ELSE date_trunc('second', now()) - make_interval(secs => $5::int) END,
                 CASE WHEN $4 = 'acknowledged' THEN now() END, CASE WHEN $4 = 'acknowledged' THEN 'seed' END,
                 CASE WHEN $4 = 'resolved' THEN now() END)
         RETURNING id`,
        [String(seeds++), severity, entityType, status, secondsAgo ?? null],
      );
      ids.push(Number(row.id));
    }
    return ids;
  }

  /** Follows nextCursor to the end; `between` runs after each page (alerts arriving meanwhile). */
  async function allPages(query: string, between: () => Promise<unknown> = async () => undefined) {
    const pages: { id: number; triggeredAt: string }[][] = [];
    let cursor: string | null = null;
    do {
      const res = await list(`?${query}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const body = res.json() as { items: { id: number; triggeredAt: string }[]; nextCursor: string | null };
      pages.push(body.items);
      cursor = body.nextCursor;
      await between();
    } while (cursor !== null && pages.length < 20);
    return pages;
  }

  describe('GET /api/tds/alerts', () => {
    it('lists raised alerts newest first, camelCase, ISO-8601 timestamps, lower-case enums, numbers as numbers', async () => {
      await waitingItems(db, 1);
      await deadLetters(db, 2);
      await reactionFailures(db, 1);
      await evaluate(testApp.app);

      const res = await list();
      expect(res.statusCode).toBe(200);
      const body = res.json() as { items: Record<string, unknown>[]; nextCursor: string | null };
      expect(Object.keys(body).sort()).toEqual(['items', 'nextCursor']);
      expect(body.nextCursor).toBeNull();
      const byRule = Object.fromEntries(body.items.map((alert) => [alert.rule, alert]));
      expect(byRule.queue_backlog).toMatchObject({ severity: 'critical', status: 'active' });
      expect(byRule.dead_letter_growth).toMatchObject({ severity: 'error', status: 'active' });
      expect(byRule.failing_reactions).toMatchObject({ severity: 'warning', status: 'active' });

      const [stored] = await alertsOf(db, 'queue_backlog');
      expect(byRule.queue_backlog).toEqual({
        id: stored.id,
        rule: 'queue_backlog',
        fingerprint: 'queue_backlog',
        severity: 'critical',
        title: expect.any(String),
        message: stored.message,
        entityType: null,
        actual: stored.actual,
        threshold: { items: 1 },
        status: 'active',
        triggeredAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
        updatedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
        lastNotifiedAt: expect.stringMatching(/Z$/),
        acknowledgedAt: null,
        acknowledgedBy: null,
        resolvedAt: null,
      });
      expect(typeof byRule.queue_backlog.id).toBe('number');
      const order = body.items.map((alert) => [alert.triggeredAt as string, alert.id as number] as const);
      expect(order).toEqual([...order].sort(([a, x], [b, y]) => (a === b ? y - x : a < b ? 1 : -1)));
    });

    it('filters by severity, status and entity type, alone and together', async () => {
      const all: Seed[] = [
        { severity: 'info', status: 'active', entityType: 'invoice' },
        { severity: 'warning', status: 'acknowledged', entityType: 'invoice' },
        { severity: 'error', status: 'resolved', entityType: 'product' },
        { severity: 'critical', status: 'active', entityType: null },
        { severity: 'error', status: 'active', entityType: 'invoice' },
        { severity: 'critical', status: 'resolved', entityType: 'invoice' },
      ].map((alert, i) => ({ ...alert, secondsAgo: 60 - i }));
      const ids = await seed(all);
      const expected = (keep: (alert: Seed) => boolean) => ids.filter((_, i) => keep(all[i])).reverse();

      const cases: [string, (alert: Seed) => boolean][] = [
        ['severity=error', (a) => a.severity === 'error'],
        ['severity=critical', (a) => a.severity === 'critical'],
        ['status=active', (a) => a.status === 'active'],
        ['status=resolved', (a) => a.status === 'resolved'],
        ['entityType=invoice', (a) => a.entityType === 'invoice'],
        ['entityType=customer', () => false],
        ['severity=critical&status=resolved&entityType=invoice', (a) => a.severity === 'critical' && a.status === 'resolved' && a.entityType === 'invoice'],
      ];
      for (const [query, keep] of cases) {
        const pages = await allPages(`${query}&limit=2`);
        expect({ query, ids: pages.flat().map((alert) => alert.id) }).toEqual({ query, ids: expected(keep) });
      }
    });

    it('pages newest first with limit, default 50: every alert exactly once while new ones arrive', async () => {
      // Three to a timestamp, so page edges fall between alerts of the same second.
      const existing = await seed(Array.from({ length: 25 }, (_, i) => ({ severity: i % 2 ? 'error' : 'info', secondsAgo: 100 - Math.floor(i / 3) })));
      const arrived: number[] = [];
      const pages = await allPages('limit=10', async () => arrived.push(...(await seed([{ severity: 'error' }, { severity: 'info' }]))));

      expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
      const seen = pages.flat();
      expect(seen.map((alert) => alert.id)).toEqual([...existing].reverse());
      expect(arrived).toHaveLength(6);
      // What arrived meanwhile is newer than all of them: it opens a fresh first page.
      const first = (await list()).json() as { items: { id: number }[]; nextCursor: string | null };
      expect(first.items.map((alert) => alert.id)).toEqual([...[...arrived].reverse(), ...[...existing].reverse()]);
      expect(first.nextCursor).toBeNull();

      // A filtered walk the same: the error alerts there were when it started, each once.
      const errorIds = new Set([...existing.filter((_, i) => i % 2), ...arrived.filter((_, i) => i % 2 === 0)]);
      const errors = (await allPages('severity=error&limit=4', () => seed([{ severity: 'error' }]))).flat().map((alert) => alert.id);
      expect(errors).toEqual(first.items.map((alert) => alert.id).filter((id) => errorIds.has(id)));

      await seed(Array.from({ length: 30 }, () => ({})));
      const byDefault = (await list()).json() as { items: unknown[]; nextCursor: string | null };
      expect(byDefault.items).toHaveLength(50);
      expect(byDefault.nextCursor).toEqual(expect.any(String));
    });

    it('refuses bad input with 422 naming the field', async () => {
      const cases: [string, string][] = [
        ['severity=fatal', 'severity'],
        ['severity=INFO', 'severity'],
        ['severity=info&severity=error', 'severity'],
        ['status=open', 'status'],
        ['limit=0', 'limit'],
        ['limit=201', 'limit'],
        ['limit=ten', 'limit'],
        ['limit=1.5', 'limit'],
        ['cursor=not%20a%20cursor', 'cursor'],
        ['cursor=bm90IGEgY3Vyc29y', 'cursor'],
        [`cursor=${Buffer.from(JSON.stringify(["2030-01-01'; --", 1])).toString('base64url')}`, 'cursor'],
        ['entityType=', 'entityType'],
        ['entityType=inv%00oice', 'entityType'],
        ['entityType=inv%C2%85oice', 'entityType'],
        ['rule=queue_backlog', 'rule'],
        ['offset=10', 'offset'],
      ];
      for (const [query, field] of cases) {
        const res = await list(`?${query}`);
        const body = res.json() as { error: string; details?: { path: string }[] };
        expect({ query, status: res.statusCode, error: body.error, fields: body.details?.map((d) => d.path) }).toEqual({
          query,
          status: 422,
          error: 'VALIDATION_FAILED',
          fields: expect.arrayContaining([field]),
        });
      }
    });

    it('needs a key (401); a viewer may read', async () => {
      expect((await list('', null)).json()).toMatchObject({ statusCode: 401, error: 'AUTH.MISSING_API_KEY' });
      expect((await list('', 'viewer')).statusCode).toBe(200);
    });
  });

  it('documents both routes in the OpenAPI document, with their errors', async () => {
    const doc = (await testApp.app.inject({ method: 'GET', url: '/api/docs-json' })).json();
    expect(Object.keys(doc.paths['/api/tds/alerts'].get.responses).sort()).toEqual(['200', '401', '422']);
    expect(Object.keys(doc.paths['/api/tds/alerts/{id}/acknowledge'].post.responses).sort()).toEqual(['200', '401', '403', '404', '409', '422']);
    expect(doc.components.schemas.AlertPageDto.required).toEqual(['items', 'nextCursor']);
  });

  describe('POST /api/tds/alerts/:id/acknowledge', () => {
    const operator = `operator:${apiKeyId(hashApiKey(KEYS.operator))}`;

    async function backlogAlert() {
      const itemIds = await waitingItems(db, 1);
      await evaluate(testApp.app);
      const [alert] = await alertsOf(db, 'queue_backlog');
      return { alertId: alert.id, itemIds };
    }

    it("records the caller's key and when; a second acknowledge answers 200 with the alert unchanged", async () => {
      const { alertId } = await backlogAlert();
      const before = Date.now();
      const first = await acknowledge(alertId);
      expect(first.statusCode).toBe(200);
      const acknowledged = first.json() as Record<string, unknown>;
      expect(acknowledged).toMatchObject({ id: alertId, rule: 'queue_backlog', status: 'acknowledged', acknowledgedBy: operator, resolvedAt: null });
      expect(Date.parse(acknowledged.acknowledgedAt as string)).toBeGreaterThanOrEqual(before - 1000);
      expect(acknowledged.acknowledgedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(operator).not.toContain(KEYS.operator);

      for (const role of ['operator', 'admin'] as const) {
        const again = await acknowledge(alertId, role);
        expect({ status: again.statusCode, body: again.json() }).toEqual({ status: 200, body: acknowledged });
      }
      const listed = (await list('?status=acknowledged')).json() as { items: unknown[] };
      expect(listed.items).toEqual([acknowledged]);
    });

    it('an unknown alert is 404, a resolved one 409', async () => {
      expect((await acknowledge(987654321)).json()).toMatchObject({ statusCode: 404, error: 'ALERT.NOT_FOUND' });

      const { alertId, itemIds } = await backlogAlert();
      await completeItems(db, itemIds);
      await evaluate(testApp.app);
      const res = await acknowledge(alertId);
      expect(res.json()).toMatchObject({ statusCode: 409, error: 'ALERT.ALREADY_RESOLVED' });
      expect((await alertsOf(db, 'queue_backlog'))[0]).toMatchObject({ status: 'resolved' });
    });

    it('needs an operator key: none 401, a viewer 403, and changes nothing', async () => {
      const { alertId } = await backlogAlert();
      expect((await acknowledge(alertId, null)).json()).toMatchObject({ statusCode: 401, error: 'AUTH.MISSING_API_KEY' });
      expect((await acknowledge(alertId, 'viewer')).json()).toMatchObject({ statusCode: 403, error: 'AUTH.INSUFFICIENT_ROLE' });
      expect((await acknowledge(alertId, 'service')).json()).toMatchObject({ statusCode: 403, error: 'AUTH.INSUFFICIENT_ROLE' });
      expect((await alertsOf(db, 'queue_backlog'))[0]).toMatchObject({ status: 'active' });
    });

    it('refuses an id that is not a positive integer with 422 naming it', async () => {
      for (const id of ['abc', '0', '-1', '1.5', '99999999999999999999', '1%09']) {
        const res = await acknowledge(id);
        expect({ id, status: res.statusCode, body: res.json() }).toMatchObject({
          id,
          status: 422,
          body: { error: 'VALIDATION_FAILED', details: [{ path: 'id' }] },
        });
      }
    });
  });
});
