import { Client } from 'pg';
import { BffCache } from '../../../src/modules/bff/cache/bff-cache.js';
import { BffCacheInvalidationHandler } from '../../../src/modules/bff/events/bff-cache-invalidation.handler.js';
import { TdsAlertAcknowledgedEvent, TdsAlertTriggeredEvent, TdsDeadLetterEvent, TdsSyncCompletedEvent } from '../../../src/modules/tds/public.js';
import { AppCache } from '../../../src/shared/cache/app-cache.js';
import { OutboxRelayService } from '../../../src/modules/tds/outbox/outbox-relay.service.js';
import { eventually } from '../../support/spawn-app.js';
import { describePostgres } from '../../support/test-database.js';
import { evaluate } from '../tds/alerts/alerts-test-kit.js';
import { drain, enqueue, makeDeadLetters, newProducts, useSyncRunApp } from '../tds/sync-runs/sync-run-test-kit.js';
import { bffGet, bffPost, failedPaths, KEYS } from './bff-test-kit.js';

/**
 * The BFF over a known workload, driven batch by batch (no workers or relay running on their
 * own): 3 products applied in one bulk run, 2 dead-lettered in a second, and the
 * dead_letter_growth alert (threshold lowered to 1) raised by one evaluation.
 */
describePostgres('BFF routes on a known workload', () => {
  process.env.TDS_ALERT_DEAD_LETTER_THRESHOLD = '1';
  const suite = useSyncRunApp();
  const applied = newProducts(3);
  const failing = newProducts(2);
  let goodRun: number;
  let badRun: number;
  let deadLetterIds: number[];
  let alertId: number;
  /** Every open alert, newest first: dead_letter_growth and the failed run's sync_run_unsuccessful. */
  let openAlertIds: number[];

  beforeAll(async () => {
    delete process.env.TDS_ALERT_DEAD_LETTER_THRESHOLD;
    goodRun = (await enqueue(suite.app, applied)).syncRunId;
    await drain(suite.app);
    deadLetterIds = await makeDeadLetters(suite, failing);
    [{ id: badRun }] = await suite.db.query(`SELECT max(id)::int AS id FROM tds_sync_runs`);
    const evaluation = await evaluate(suite.app);
    expect(evaluation).toBeDefined();
    [{ id: alertId }] = await suite.db.query(`SELECT id::int AS id FROM tds_alerts WHERE rule = 'dead_letter_growth'`);
    openAlertIds = (await suite.db.query(`SELECT id::int AS id FROM tds_alerts ORDER BY triggered_at DESC, id DESC`)).map((row: { id: number }) => row.id);
    expect(openAlertIds).toHaveLength(2);
  });

  it('dashboard: every figure of the workload, in the contract shape', async () => {
    const res = await bffGet(suite.app, 'dashboard');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['activeAlerts', 'entityTypes', 'generatedAt', 'health', 'queue', 'recentRuns', 'successRate24h', 'throughput']);
    expect(new Date(body.generatedAt).toISOString()).toBe(body.generatedAt);
    expect(body.queue).toEqual({ pending: 0, processing: 0, retry: 0, deadLetters: 2, oldestPendingAgeSeconds: null });
    expect(body.successRate24h).toBe(0.6);
    expect(body.health).toEqual({
      state: 'degraded',
      reasons: [
        { code: 'ACTIVE_ALERTS', message: '2 error or warning alerts active' },
        { code: 'OPEN_DEAD_LETTERS', message: '2 dead letters waiting for an operator' },
        { code: 'LOW_SUCCESS_RATE', message: 'Success rate over 24 h is 60% (threshold 90%)' },
      ],
    });
    expect(body.throughput.last5m.perMinute).toHaveLength(5);
    expect(body.throughput.last1h.perMinute).toHaveLength(60);
    expect(body.throughput.last1h).toMatchObject({ received: 5, applied: 3, failed: 2 });
    expect(body.throughput.last5m).toMatchObject({ received: 5, applied: 3, failed: 2 });
    expect(Object.keys(body.throughput.last1h.perMinute[0]).sort()).toEqual(
      ['applied', 'at', 'avgLatencyMs', 'deadLettered', 'failed', 'received', 'superseded', 'unchanged'],
    );
    expect(body.recentRuns.map((run: { id: number }) => run.id)).toEqual([badRun, goodRun]);
    expect(body.recentRuns[1]).toMatchObject({
      kind: 'bulk', source: 'zoho', entityType: 'product', status: 'completed',
      total: 3, processed: 3, succeeded: 3, failed: 0, skipped: 0, progressPercent: 100, successRate: 1,
    });
    expect(body.recentRuns[1].duration).toMatch(/^\d+(ms|s)$/);
    expect(body.recentRuns[0]).toMatchObject({ status: 'failed', total: 2, succeeded: 0, failed: 2, progressPercent: 100, successRate: 0 });
    expect(body.activeAlerts.map((alert: { id: number }) => alert.id)).toEqual(openAlertIds);
    expect(body.activeAlerts.find((alert: { id: number }) => alert.id === alertId)).toEqual({
      id: alertId, rule: 'dead_letter_growth', severity: 'error', title: expect.any(String), message: expect.any(String), entityType: null,
      status: 'active', triggeredAt: expect.any(String), acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null,
    });
    const product = body.entityTypes.find((type: { entityType: string }) => type.entityType === 'product');
    expect(product).toEqual({
      entityType: 'product', mirrored: null, lastSuccessfulSyncAt: expect.any(String), lagSeconds: null, pending: 0,
      openDeadLetters: 2, applied24h: 3, failed24h: 2, successRate24h: 0.6, state: 'error',
    });
    const customer = body.entityTypes.find((type: { entityType: string }) => type.entityType === 'customer');
    expect(customer).toEqual({
      entityType: 'customer', mirrored: null, lastSuccessfulSyncAt: null, lagSeconds: null, pending: 0,
      openDeadLetters: 0, applied24h: 0, failed24h: 0, successRate24h: null, state: 'on_time',
    });
  });

  it('a second dashboard call is served from the cache: no database query', async () => {
    const query = jest.spyOn(Client.prototype, 'query');
    try {
      // The spy sees the reads of a miss...
      await suite.app.get(BffCache).invalidate(['dashboard']);
      await bffGet(suite.app, 'dashboard');
      expect(query.mock.calls.length).toBeGreaterThan(0);
      query.mockClear();
      // ...and none on the hit that follows.
      const res = await bffGet(suite.app, 'dashboard');
      expect(res.statusCode).toBe(200);
      expect(query).not.toHaveBeenCalled();
    } finally {
      query.mockRestore();
    }
  });

  it('every GET carries a strong ETag and Cache-Control private; a matching If-None-Match is a 304 without a body', async () => {
    for (const path of ['dashboard', 'sync-runs', `sync-runs/${goodRun}`, 'entities', 'alerts', 'dead-letter', 'throughput']) {
      const res = await bffGet(suite.app, path);
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('private, no-cache');
      const etag = res.headers.etag as string;
      expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
      const again = await bffGet(suite.app, path, KEYS.viewer, { 'if-none-match': etag });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
      expect(again.headers.etag).toBe(etag);
      expect(again.headers['cache-control']).toBe('private, no-cache');
      const other = await bffGet(suite.app, path, KEYS.viewer, { 'if-none-match': '"something-else"' });
      expect(other.statusCode).toBe(200);
      expect(other.body).toBe(res.body);
    }
  });

  it('sync runs: a keyset page at a time, filters, one run with its errors by code', async () => {
    const first = (await bffGet(suite.app, 'sync-runs?limit=1')).json();
    expect(first.items.map((run: { id: number }) => run.id)).toEqual([badRun]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = (await bffGet(suite.app, `sync-runs?limit=1&cursor=${first.nextCursor}`)).json();
    expect(second.items.map((run: { id: number }) => run.id)).toEqual([goodRun]);
    expect((await bffGet(suite.app, 'sync-runs?status=completed')).json()).toEqual({ items: [expect.objectContaining({ id: goodRun })], nextCursor: null });
    expect((await bffGet(suite.app, 'sync-runs?entityType=invoice')).json()).toEqual({ items: [], nextCursor: null });

    const run = (await bffGet(suite.app, `sync-runs/${badRun}`)).json();
    expect(run).toMatchObject({ id: badRun, status: 'failed', cursorFrom: null, cursorTo: null, successRate: 0 });
    expect(run.errorSummary).toEqual({
      byCode: [{ errorCode: 'TEST_PERMANENT', count: 2, lastMessage: expect.stringContaining('injected permanent fault') }],
      note: run.errorSummary.note,
    });
    expect((await bffGet(suite.app, `sync-runs/${goodRun}`)).json().errorSummary.byCode).toEqual([]);
    const missing = await bffGet(suite.app, 'sync-runs/999999');
    expect([missing.statusCode, missing.json().error]).toEqual([404, 'SYNC_RUN.NOT_FOUND']);
  });

  it('entities and one record’s timeline, newest first with titles', async () => {
    const list = (await bffGet(suite.app, 'entities')).json();
    expect(list.items.find((type: { entityType: string }) => type.entityType === 'product')).toMatchObject({ mirrored: 3, openDeadLetters: 2, state: 'error' });
    const timeline = (await bffGet(suite.app, `entities/product/${applied[0].sourceEntityId}`)).json();
    expect(timeline).toMatchObject({ entityType: 'product', sourceEntityId: applied[0].sourceEntityId });
    expect(timeline.current).toEqual({ source: 'zoho', version: expect.any(Number), deleted: false, syncedAt: expect.any(String), contentHash: expect.any(String) });
    const kinds = timeline.events.map((event: { kind: string }) => event.kind);
    expect(kinds[0]).toBe('applied');
    expect(kinds).toContain('queued');
    expect(timeline.events[0].title).toBe(`Applied version ${timeline.current.version}`);
    const dead = (await bffGet(suite.app, `entities/product/${failing[0].sourceEntityId}`)).json();
    expect(dead.current).toBeNull();
    expect(dead.events[0]).toMatchObject({ kind: 'dead_lettered', errorCode: 'TEST_PERMANENT', title: 'Dead-lettered: TEST_PERMANENT' });
    const missing = await bffGet(suite.app, 'entities/product/never-seen');
    expect([missing.statusCode, missing.json().error]).toEqual([404, 'ENTITY.NOT_FOUND']);
  });

  it('throughput: the window in steps, zeros where nothing happened', async () => {
    const body = (await bffGet(suite.app, 'throughput?window=15m&step=5m')).json();
    expect(body).toMatchObject({ window: '15m', step: '5m' });
    expect(body.points).toHaveLength(3);
    const total = (field: string) => body.points.reduce((sum: number, point: Record<string, number>) => sum + point[field], 0);
    expect([total('received'), total('applied'), total('failed'), total('deadLettered')]).toEqual([5, 3, 2, 2]);
    expect((await bffGet(suite.app, 'throughput')).json()).toMatchObject({ window: '1h', step: '1m', points: expect.any(Array) });
    expect((await bffGet(suite.app, 'throughput?window=7d')).json().step).toBe('15m');
    expect((await bffGet(suite.app, 'throughput?entityType=invoice&window=5m')).json().points.map((point: { applied: number }) => point.applied)).toEqual([0, 0, 0, 0, 0]);
  });

  it('bad input is a 422 naming the field, never a 500; unknown ids are 404', async () => {
    const cases: [string, string][] = [
      ['dashboard?x=1', 'x'],
      ['entities?state=error', 'state'],
      ['sync-runs?bogus=1', 'bogus'],
      ['sync-runs?cursor=%21%21', 'cursor'],
      ['sync-runs?cursor=AAAA', 'cursor'],
      ['sync-runs?limit=0', 'limit'],
      ['sync-runs?limit=-5', 'limit'],
      ['sync-runs?limit=201', 'limit'],
      ['sync-runs?limit=1e9', 'limit'],
      ['sync-runs?status=done', 'status'],
      ['sync-runs?kind=PULL', 'kind'],
      ['sync-runs?since=yesterday', 'since'],
      ['sync-runs/abc', 'id'],
      ['sync-runs/99999999999999999999', 'id'],
      ['alerts?severity=fatal', 'severity'],
      ['alerts?status=closed', 'status'],
      ['alerts?cursor=AAAA', 'cursor'],
      ['dead-letter?resolved=maybe', 'resolved'],
      ['dead-letter?limit=500', 'limit'],
      ['throughput?window=2h', 'window'],
      ['throughput?step=2m', 'step'],
      ['throughput?window=5m&step=15m', 'step'],
      ['throughput?window=7d&step=1m', 'step'],
      ['entities/product/x?limit=0', 'limit'],
      ['entities/product/a%01b', 'sourceEntityId'],
    ];
    for (const [path, field] of cases) {
      expect([path, failedPaths(await bffGet(suite.app, path))]).toEqual([path, expect.arrayContaining([field])]);
    }
    expect((await bffPost(suite.app, 'alerts/999999/acknowledge')).statusCode).toBe(404);
    expect((await bffPost(suite.app, 'dead-letter/999999/resolve', { note: 'gone' })).json().error).toBe('DEAD_LETTER.NOT_FOUND');
    expect(failedPaths(await bffPost(suite.app, 'dead-letter/replay', { ids: [1], filter: {} }))).toContain('ids');
    expect(failedPaths(await bffPost(suite.app, 'dead-letter/replay', { ids: [-1] }))).toContain('ids');
    expect(failedPaths(await bffPost(suite.app, 'dead-letter/1/resolve', {}))).toContain('note');
  });

  it('auth: viewer reads, operator acts, no key is a 401', async () => {
    expect((await bffGet(suite.app, 'dashboard', null)).statusCode).toBe(401);
    expect((await bffPost(suite.app, `alerts/${alertId}/acknowledge`, undefined, KEYS.viewer)).json().error).toBe('AUTH.INSUFFICIENT_ROLE');
    expect((await bffPost(suite.app, 'dead-letter/replay', { ids: [1] }, KEYS.viewer)).statusCode).toBe(403);
  });

  it('health needs no key and reports the database and the cache', async () => {
    const res = await bffGet(suite.app, 'health', null);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', database: 'up', cache: 'up', checkedAt: expect.any(String) });
  });

  it('health is 503 down when the database does not answer', async () => {
    jest.spyOn(suite.db, 'query').mockRejectedValueOnce(new Error('connect ECONNREFUSED 10.0.0.5:5432'));
    const res = await bffGet(suite.app, 'health', null);
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'down', database: 'down', cache: 'up', checkedAt: expect.any(String) });
  });

  it('with the database down the dashboard shows the last figures it read, as critical', async () => {
    const before = (await bffGet(suite.app, 'dashboard')).json();
    await suite.app.get(BffCache).invalidate(['dashboard']);
    const refused = () => Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' });
    jest.spyOn(suite.db, 'createQueryRunner').mockImplementation(() => {
      throw refused();
    });
    jest.spyOn(suite.db, 'query').mockRejectedValue(refused());
    try {
      const res = await bffGet(suite.app, 'dashboard');
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.health.state).toBe('critical');
      expect(body.health.reasons[0]).toEqual({ code: 'DATABASE_DOWN', message: 'The database does not answer' });
      expect({ ...body, health: null }).toEqual({ ...before, health: null });
    } finally {
      jest.restoreAllMocks();
    }
    expect((await bffGet(suite.app, 'dashboard')).json().health).toEqual(before.health);
  });

  it('an acknowledge is visible on the next call, and acknowledging again returns the same alert', async () => {
    await bffGet(suite.app, 'alerts?status=active');
    await bffGet(suite.app, 'dashboard');
    const res = await bffPost(suite.app, `alerts/${alertId}/acknowledge`);
    expect(res.statusCode).toBe(200);
    const acknowledged = res.json();
    expect(acknowledged).toMatchObject({ id: alertId, status: 'acknowledged', acknowledgedBy: expect.stringMatching(/^operator:/) });
    expect((await bffPost(suite.app, `alerts/${alertId}/acknowledge`)).json()).toEqual(acknowledged);
    const others = openAlertIds.filter((id) => id !== alertId);
    const ids = (page: { items: { id: number }[] }) => page.items.map((alert) => alert.id);
    expect(ids((await bffGet(suite.app, 'alerts?status=active')).json())).toEqual(others);
    expect(ids((await bffGet(suite.app, 'alerts?status=acknowledged')).json())).toEqual([alertId]);
    const dashboard = (await bffGet(suite.app, 'dashboard')).json();
    expect(dashboard.activeAlerts.find((alert: { id: number }) => alert.id === alertId)).toEqual(acknowledged);
    expect(dashboard.health.reasons[0]).toEqual({ code: 'ACTIVE_ALERTS', message: '1 error or warning alert active' });
  });

  it('a new dead letter is visible on the next call once its event is relayed', async () => {
    await suite.app.get(OutboxRelayService).relayOnce();
    expect((await bffGet(suite.app, 'dashboard')).json().queue.deadLetters).toBe(2);
    await makeDeadLetters(suite, newProducts(1));
    while ((await suite.app.get(OutboxRelayService).relayOnce()) > 0);
    await eventually(async () => {
      expect((await bffGet(suite.app, 'dashboard')).json().queue.deadLetters).toBe(3);
      expect((await bffGet(suite.app, 'dead-letter?resolved=false')).json().items).toHaveLength(3);
    }, 10_000, 20);
  });

  it('resolve and replay: the dead-letter list and the dashboard follow at once', async () => {
    const open = (await bffGet(suite.app, 'dead-letter?resolved=false')).json().items;
    expect(open.every((letter: { state: string }) => letter.state === 'open')).toBe(true);
    const resolved = await bffPost(suite.app, `dead-letter/${deadLetterIds[0]}/resolve`, { note: 'fixed in Zoho' });
    expect(resolved.statusCode).toBe(200);
    expect(resolved.json()).toEqual({ deadLetterId: deadLetterIds[0], resolvedAt: expect.any(String), resolvedBy: expect.stringMatching(/^operator:/), note: 'fixed in Zoho' });
    const replay = await bffPost(suite.app, 'dead-letter/replay', { ids: [deadLetterIds[1], deadLetterIds[0]] });
    expect(replay.statusCode).toBe(202);
    expect(replay.json()).toEqual({ syncRunId: expect.any(Number), replayed: 1, skipped: [deadLetterIds[0]], more: false });

    const list = (await bffGet(suite.app, 'dead-letter')).json();
    const stateOf = (id: number) => list.items.find((letter: { id: number }) => letter.id === id);
    expect(stateOf(deadLetterIds[0])).toMatchObject({ state: 'resolved', resolutionNote: 'fixed in Zoho', resolvedBy: expect.stringMatching(/^operator:/) });
    expect(stateOf(deadLetterIds[1])).toMatchObject({ state: 'replayed', replayQueueItemId: expect.any(Number) });
    const dashboard = (await bffGet(suite.app, 'dashboard')).json();
    expect(dashboard.queue).toMatchObject({ deadLetters: 1, pending: 1 });
    const product = dashboard.entityTypes.find((type: { entityType: string }) => type.entityType === 'product');
    expect(product).toMatchObject({ pending: 1, openDeadLetters: 1, lagSeconds: expect.any(Number), state: 'error' });
    expect(product.lagSeconds).toBeGreaterThanOrEqual(0);
    expect(dashboard.recentRuns[0]).toMatchObject({ id: replay.json().syncRunId, kind: 'replay', total: 1 });
    expect((await bffPost(suite.app, 'dead-letter/replay', { filter: { entityType: 'invoice' } })).json()).toEqual({ syncRunId: null, replayed: 0, skipped: [], more: false });
  });

  it('the OpenAPI document lists every BFF route, its roles’ errors and a body example', async () => {
    const doc = (await suite.app.inject({ method: 'GET', url: '/api/docs-json' })).json();
    const paths = Object.keys(doc.paths).filter((path) => path.startsWith('/api/bff/tds/')).sort();
    expect(paths).toEqual([
      '/api/bff/tds/alerts', '/api/bff/tds/alerts/{id}/acknowledge', '/api/bff/tds/dashboard', '/api/bff/tds/dead-letter',
      '/api/bff/tds/dead-letter/replay', '/api/bff/tds/dead-letter/{id}/resolve', '/api/bff/tds/entities',
      '/api/bff/tds/entities/{entityType}/{sourceEntityId}', '/api/bff/tds/health', '/api/bff/tds/sync-runs',
      '/api/bff/tds/sync-runs/{id}', '/api/bff/tds/throughput',
    ]);
    // [{}]: no key, overriding the document's bearer requirement.
    expect(doc.paths['/api/bff/tds/health'].get.security).toEqual([{}]);
    expect(doc.paths['/api/bff/tds/dashboard'].get.security).toEqual([{ bearer: [] }]);
    const replay = doc.paths['/api/bff/tds/dead-letter/replay'].post;
    expect(Object.keys(replay.responses)).toEqual(expect.arrayContaining(['202', '401', '403', '422']));
    expect(replay.requestBody.content['application/json'].examples.byIds.value).toEqual({ ids: [41, 42] });
    expect(doc.components.schemas.ResolveDeadLetterDto.properties.note.example).toEqual(expect.any(String));
  });

  it('TDS events drop the groups they change, one invalidation per burst', async () => {
    const invalidate = jest.spyOn(suite.app.get(AppCache), 'invalidate');
    try {
      const handler = suite.app.get(BffCacheInvalidationHandler);
      const meta = { eventId: 'e', occurredAt: new Date().toISOString(), correlationId: null, causationId: null };
      handler.handle(new TdsAlertTriggeredEvent({ ...meta, alertId: 1, rule: 'queue_backlog', severity: 'warning', message: 'm', affectedCount: 1 } as never));
      handler.handle(new TdsDeadLetterEvent({ ...meta, deadLetterId: 1 } as never));
      handler.handle(new TdsAlertAcknowledgedEvent({ ...meta, alertId: 1, acknowledgedBy: 'operator:x' }));
      await eventually(() => expect(invalidate).toHaveBeenCalledTimes(1), 5_000, 5);
      expect([...invalidate.mock.calls[0][0]].sort()).toEqual(['bff:gen:alerts', 'bff:gen:dashboard', 'bff:gen:deadLetters', 'bff:gen:entities']);
      handler.handle(new TdsSyncCompletedEvent({ ...meta, syncRunId: 1 } as never));
      await eventually(() => expect(invalidate).toHaveBeenCalledTimes(2), 5_000, 5);
      expect([...invalidate.mock.calls[1][0]].sort()).toEqual(['bff:gen:dashboard', 'bff:gen:runs']);
    } finally {
      invalidate.mockRestore();
    }
  });

  it('payloads: camelCase keys, ISO-8601 UTC timestamps, lower-case enums', async () => {
    const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
    const ENUMS = new Set(['kind', 'status', 'severity', 'state']);
    const check = (value: unknown, path: string): void => {
      if (Array.isArray(value)) return value.forEach((entry, index) => check(entry, `${path}[${index}]`));
      if (value === null || typeof value !== 'object') return;
      for (const [key, entry] of Object.entries(value)) {
        expect([path, key]).toEqual([path, expect.stringMatching(/^[a-z][a-zA-Z0-9]*$/)]);
        if (/At$/.test(key) || key === 'from' || key === 'to' || key === 'at') {
          expect([path, key, entry]).toEqual([path, key, entry === null ? null : expect.stringMatching(ISO)]);
        }
        if (ENUMS.has(key) && typeof entry === 'string') expect([path, key, entry]).toEqual([path, key, expect.stringMatching(/^[a-z_]+$/)]);
        check(entry, `${path}.${key}`);
      }
    };
    for (const path of ['dashboard', 'sync-runs', `sync-runs/${badRun}`, 'entities', `entities/product/${applied[0].sourceEntityId}`, 'alerts', 'dead-letter', 'throughput?window=5m']) {
      check((await bffGet(suite.app, path)).json(), path);
    }
  });

  it('empty lists are [] and absent scalars null', async () => {
    expect((await bffGet(suite.app, 'alerts?severity=critical')).json()).toEqual({ items: [], nextCursor: null });
    expect((await bffGet(suite.app, 'dead-letter?errorCode=NOPE')).json()).toEqual({ items: [], nextCursor: null });
  });

  it('a dead letter resolved through the TDS route reaches the BFF by its tds.deadletter.resolved event', async () => {
    const [id] = await makeDeadLetters(suite, newProducts(1));
    while ((await suite.app.get(OutboxRelayService).relayOnce()) > 0);
    const openIds = async () => (await bffGet(suite.app, 'dead-letter?resolved=false')).json().items.map((letter: { id: number }) => letter.id);
    expect(await openIds()).toContain(id);
    const res = await suite.app.inject({
      method: 'POST',
      url: `/api/tds/dead-letter/${id}/resolve`,
      headers: { authorization: `Bearer ${KEYS.operator}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ note: 'fixed in Zoho' }),
    });
    expect(res.statusCode).toBe(200);
    const events = await suite.db.query(`SELECT payload FROM tds_outbox WHERE event_type = 'tds.deadletter.resolved' AND (payload ->> 'deadLetterId')::bigint = $1`, [id]);
    expect(events).toEqual([{ payload: { deadLetterId: id, resolvedBy: expect.stringMatching(/^operator:/) } }]);
    // Cached until the event arrives (the TTL is 60 s): the relay's pass is what drops it.
    expect(await openIds()).toContain(id);
    while ((await suite.app.get(OutboxRelayService).relayOnce()) > 0);
    await eventually(async () => expect(await openIds()).not.toContain(id), 10_000, 20);
  });
});
