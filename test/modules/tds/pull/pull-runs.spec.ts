import { CommandBus } from '@nestjs/cqrs';
import { EvaluateAlertsCommand } from '../../../../src/modules/tds/public.js';
import { JobScheduler } from '../../../../src/modules/tds/jobs/job-scheduler.js';
import { parseSamples, sampleValue, scrape } from '../../../shared/metrics/prometheus-text.js';
import { rows, waitUntilDrained } from '../../../support/queue-fixtures.js';
import { eventually } from '../../../support/spawn-app.js';
import { describePostgres } from '../../../support/test-database.js';
import { deliver } from '../webhooks/webhook-test-kit.js';
import { cursorOf, expectMirrored, getRun, KEYS, mirror, onListRequest, pullToEnd, startPull, usePullApp, versionOf, waitForRun, ZOHO } from './pull-test-kit.js';

const PAGE = 200;

/** Zoho's format, second precision: what the simulator stamps. */
const zohoTime = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, '+0000');

const openAlerts = (suite: { db: Parameters<typeof rows>[0] }, rule: string) =>
  rows<{ fingerprint: string; severity: string; message: string }>(
    suite.db,
    `SELECT fingerprint, severity, message FROM tds_alerts WHERE rule = $1 AND status <> 'resolved' ORDER BY id`,
    [rule],
  );

describePostgres('pull runs from Zoho (simulator)', () => {
  const suite = usePullApp({ TDS_PULL_PAGE_RETRIES: '2', TDS_PULL_MAX_PAUSE_S: '60', TDS_ZOHO_BREAKER_VOLUME: '3' });

  it('mirrors every record with a full run, then picks up what changed with an incremental one', async () => {
    suite.sim.seed({ products: 700, warehouses: 3, customers: 450, invoices: 120, salesOrders: 90, priceBooks: 5, seed: 7, sameTimestampRuns: 1 });
    const products = await pullToEnd(suite.app, 'product', 'full');
    expect(products).toMatchObject({ status: 'completed', failed: 0 });
    expect(products.pull).toMatchObject({ mode: 'full', fetching: false, estimatedPercent: 100, invalid: 0 });
    // At least one page per 200 records; the records sharing a page edge's time are read again, not skipped.
    expect(products.pull!.pages).toBeGreaterThanOrEqual(Math.ceil(700 / PAGE));
    expect(products.pull!.records).toBeGreaterThanOrEqual(700);
    await expectMirrored(suite, 'product', 'item_id');
    // This instance's counters: every record stored once, those read again at page edges as duplicates.
    const samples = parseSamples(await scrape(suite.app));
    const pulled = (outcome: string) => sampleValue(samples, 'tds_pull_records_total', { entity_type: 'product', outcome });
    expect([pulled('stored'), pulled('invalid'), pulled('duplicate')]).toEqual([700, 0, products.pull!.duplicates]);
    expect(pulled('stored') + pulled('duplicate')).toBe(products.pull!.records);
    expect(sampleValue(samples, 'tds_pull_pages_total', { entity_type: 'product' })).toBe(products.pull!.pages);
    // Each item's warehouses became stock levels of the run.
    const levels = suite.sim.records('product').reduce((sum, item) => sum + (item.warehouses as unknown[]).length, 0);
    expect(products.total).toBe(700 + levels);
    expect((await mirror(suite.db, 'stock_level')).size).toBe(levels);
    for (const [entityType, idField] of [['customer', 'contact_id'], ['invoice', 'invoice_id'], ['sales_order', 'salesorder_id'], ['price_list', 'pricebook_id']]) {
      expect(await pullToEnd(suite.app, entityType, 'full')).toMatchObject({ status: 'completed', failed: 0 });
      await expectMirrored(suite, entityType, idField);
    }
    const cursor = await cursorOf(suite.db, 'product');
    const newest = Math.max(...suite.sim.records('product').map(versionOf));
    expect(cursor.at?.getTime()).toBe(newest);

    // Edits after the run: the incremental run reads from the cursor (less the overlap) and applies just those.
    const edited = suite.sim.records('product').slice(0, 25);
    for (const item of edited) suite.sim.touch('product', String(item.item_id), { rate: 999 });
    const incremental = await pullToEnd(suite.app, 'product', 'incremental');
    expect(incremental).toMatchObject({ status: 'completed', failed: 0, cursorFrom: new Date(newest).toISOString() });
    expect(incremental.pull!.records).toBeLessThan(700);
    await expectMirrored(suite, 'product', 'item_id');
    expect(incremental.succeeded).toBeGreaterThanOrEqual(25);
  });

  it('never skips records sharing one time across page edges, nor records edited while the run goes', async () => {
    // 450 customers at one second: pages 1 to 3 under the same bound; then more after it.
    const at = Date.parse('2026-03-01T08:00:00Z');
    for (let n = 0; n < 450; n++) {
      suite.sim.put('customer', { ...suite.sim.records('customer')[0], contact_id: `same-${n}`, contact_name: `Same ${n}`, last_modified_time: zohoTime(at) });
    }
    for (let n = 0; n < 30; n++) {
      suite.sim.put('customer', { ...suite.sim.records('customer')[0], contact_id: `later-${n}`, contact_name: `Later ${n}`, last_modified_time: zohoTime(at + 1000 * (n + 1)) });
    }
    // Edits land while the run fetches: each page request edits one early record (it moves to the end).
    let edits = 0;
    const early = suite.sim.records('customer').slice(0, 40).map((record) => String(record.contact_id));
    const unhook = suite.sim.onRequest(() => {
      if (edits < early.length) suite.sim.touch('customer', early[edits++], { notes: `edited during the run ${edits}` });
    });
    const run = await pullToEnd(suite.app, 'customer', 'full');
    unhook();
    expect(run).toMatchObject({ status: 'completed', failed: 0 });
    // What the run did not see (edited after its last page) the next one does.
    const next = await pullToEnd(suite.app, 'customer', 'incremental');
    expect(next.status).toBe('completed');
    await expectMirrored(suite, 'customer', 'contact_id');
  });

  it('keeps a malformed record for audit, applies the rest of the page, and still advances the cursor', async () => {
    const base = suite.sim.records('invoice')[0];
    const later = Math.max(...suite.sim.records('invoice').map(versionOf)) + 60_000;
    suite.sim.put('invoice', { ...base, invoice_id: 'bad-1', invoice_number: 'INV-BAD-1', line_items: 'not a list', last_modified_time: zohoTime(later) });
    suite.sim.put('invoice', { ...base, invoice_id: 'good-1', invoice_number: 'INV-GOOD-1', last_modified_time: zohoTime(later + 1000) });
    const run = await pullToEnd(suite.app, 'invoice', 'incremental');
    expect(run).toMatchObject({ status: 'partial', failed: 1 });
    expect(run.pull).toMatchObject({ invalid: 1 });
    expect(run.errorSummary).toMatchObject({ invalidRecords: 1, invalidSamples: [expect.objectContaining({ sourceEntityId: 'bad-1' })] });
    const [inbox] = await rows<{ status: string; errors: { path: string }[] }>(
      suite.db,
      `SELECT status, validation_errors AS errors FROM tds_inbox_events WHERE entity_type = 'invoice' AND source_entity_id = 'bad-1'`,
    );
    expect(inbox.status).toBe('invalid');
    expect(inbox.errors.map((error) => error.path)).toContain('invoice.line_items');
    expect((await mirror(suite.db, 'invoice')).has('good-1')).toBe(true);
    expect((await mirror(suite.db, 'invoice')).has('bad-1')).toBe(false);
    expect((await cursorOf(suite.db, 'invoice')).at?.getTime()).toBe(later + 1000);
  });

  it('fetches a broken page again, then fails the run with the status and an excerpt, the cursor unchanged', async () => {
    const before = await cursorOf(suite.db, 'sales_order');
    const order = suite.sim.records('sales_order')[0];
    suite.sim.touch('sales_order', String(order.salesorder_id), { reference_number: 'PO-broken' });
    // Retried twice (TDS_PULL_PAGE_RETRIES=2): one broken answer is recovered from.
    suite.sim.malformResponses(1, 'truncated');
    expect(await pullToEnd(suite.app, 'sales_order', 'incremental')).toMatchObject({ status: 'completed' });
    const afterRecovery = await cursorOf(suite.db, 'sales_order');
    expect(afterRecovery.at!.getTime()).toBeGreaterThanOrEqual(before.at!.getTime());

    suite.sim.touch('sales_order', String(order.salesorder_id), { reference_number: 'PO-broken-2' });
    suite.sim.malformResponses(3, 'non-json');
    const failed = await pullToEnd(suite.app, 'sales_order', 'incremental');
    expect(failed.status).toBe('failed');
    expect(failed.errorSummary).toMatchObject({ errorCode: 'SOURCE.BAD_RESPONSE', httpStatus: 200 });
    expect(String(failed.errorSummary!.bodyExcerpt).length).toBeGreaterThan(0);
    expect(String(failed.errorSummary!.bodyExcerpt).length).toBeLessThanOrEqual(200);
    expect(await cursorOf(suite.db, 'sales_order')).toEqual(afterRecovery);
    const [event] = await rows<{ payload: Record<string, unknown> }>(
      suite.db,
      `SELECT payload FROM tds_outbox WHERE event_type = 'tds.sync.failed' AND payload->>'syncRunId' = $1`,
      [String(failed.id)],
    );
    expect(event.payload).toMatchObject({ errorCode: 'SOURCE.BAD_RESPONSE' });
  });

  it('applies a record delivered by webhook and pulled at the same version once', async () => {
    const item = suite.sim.touch('product', String(suite.sim.records('product')[5].item_id), { rate: 1234 });
    const res = await deliver(suite.app, 'zoho', { item }, { query: 'event=item.updated' });
    expect(res.statusCode).toBe(202);
    await waitUntilDrained(suite.db);
    const run = await pullToEnd(suite.app, 'product', 'incremental');
    expect(run.status).toBe('completed');
    const applied = await rows<{ status: string; n: number }>(
      suite.db,
      `SELECT status, count(*)::int AS n FROM tds_sync_queue
       WHERE entity_type = 'product' AND source_entity_id = $1 AND version = $2 GROUP BY status`,
      [String(item.item_id), versionOf(item)],
    );
    // One queue item at that version (the pull's copy was the webhook delivery's duplicate), applied once.
    expect(applied).toEqual([{ status: 'completed', n: 1 }]);
    expect(run.pull!.duplicates).toBeGreaterThanOrEqual(1);
  });

  it('refreshes an expired token once mid-run and goes on; a revoked refresh token fails the run with an alert', async () => {
    const refreshes = suite.sim.tokenRefreshes;
    for (const record of suite.sim.records('customer').slice(0, 300)) suite.sim.touch('customer', String(record.contact_id), { notes: 'again' });
    const unhook = onListRequest(suite.sim, 2, () => suite.sim.expireAccessTokens());
    const run = await pullToEnd(suite.app, 'customer', 'incremental');
    unhook();
    expect(run.status).toBe('completed');
    expect(suite.sim.tokenRefreshes - refreshes).toBe(1);
    await expectMirrored(suite, 'customer', 'contact_id');

    suite.sim.revokeRefreshToken();
    suite.sim.expireAccessTokens();
    suite.sim.touch('customer', String(suite.sim.records('customer')[0].contact_id), { notes: 'revoked' });
    const failed = await pullToEnd(suite.app, 'customer', 'incremental');
    expect(failed.status).toBe('failed');
    expect(failed.errorSummary).toMatchObject({ errorCode: 'SOURCE.AUTH_FAILED' });
    const text = JSON.stringify(failed);
    for (const secret of [ZOHO.clientSecret, ZOHO.refreshToken]) expect(text).not.toContain(secret);
    await suite.app.get(CommandBus).execute(new EvaluateAlertsCommand());
    expect(await openAlerts(suite, 'source_auth_failed')).toHaveLength(1);
    expect((await openAlerts(suite, 'sync_run_unsuccessful')).map((alert) => alert.fingerprint)).toContain(`sync_run_unsuccessful:sync-run:${failed.id}`);
    suite.sim.restoreRefreshToken();
  });

  it('refuses what is not a pull it can run, and one run per entity type at a time', async () => {
    expect((await startPull(suite.app, { source: 'zoho', entityType: 'product', mode: 'sometimes' })).json()).toMatchObject({
      statusCode: 422,
      error: 'VALIDATION_FAILED',
    });
    expect((await startPull(suite.app, { source: 'zoho', entityType: 'stock_level', mode: 'full' })).statusCode).toBe(422);
    expect((await startPull(suite.app, { source: 'nowhere', entityType: 'product', mode: 'full' })).json()).toMatchObject({
      statusCode: 404,
      error: 'SOURCE.ACCOUNT_NOT_FOUND',
    });
    expect((await startPull(suite.app, { source: 'zoho', entityType: 'product', mode: 'full', account: 'other' })).statusCode).toBe(404);
    expect((await startPull(suite.app, { source: 'zoho', entityType: 'product', mode: 'full' }, KEYS.service)).statusCode).toBe(403);
    suite.sim.failFor(3000, 500);
    const first = await startPull(suite.app, { source: 'zoho', entityType: 'price_list', mode: 'full' });
    expect(first.statusCode).toBe(202);
    const second = await startPull(suite.app, { source: 'zoho', entityType: 'price_list', mode: 'incremental' });
    expect(second.json()).toMatchObject({ statusCode: 409, error: 'SYNC_RUN.PULL_IN_PROGRESS', details: { syncRunId: first.json().id } });
    expect((await waitForRun(suite.app, first.json().id, (run) => run.status !== 'running', 60_000)).status).toBe('completed');
  });

  it('runs the scheduled incremental pulls as jobs, once per tick', async () => {
    const app = await suite.another({ TDS_PULL_SCHEDULE: 'customer:60', TDS_PULL_ENABLED: 'false' });
    const scheduler = app.get(JobScheduler);
    expect(scheduler.registered.map((job) => job.name)).toContain('pull.main.customer');
    const outcome = await scheduler.runNow('pull.main.customer');
    expect(outcome).toMatchObject({ outcome: 'succeeded', detail: { syncRunId: expect.any(Number) } });
    const run = await getRun(app, (outcome!.detail as { syncRunId: number }).syncRunId);
    expect(run.pull).toMatchObject({ mode: 'incremental', account: 'main' });
    // The same tick again is not run twice.
    expect(await scheduler.runNow('pull.main.customer')).toBeUndefined();
    await waitForRun(suite.app, run.id, (view) => view.status !== 'running');
  });
});

// Its own app: the breaker counts the failures of its rolling window, which the suite above fills with successes.
describePostgres('pull runs while Zoho fails (simulator)', () => {
  const suite = usePullApp({ TDS_PULL_MAX_PAUSE_S: '60', TDS_ZOHO_BREAKER_VOLUME: '3' });

  it('pauses a run while the source fails, opens the breaker with an alert, and recovers when it heals', async () => {
    suite.sim.seed({ products: 700, warehouses: 2, customers: 0, invoices: 0, salesOrders: 0, priceBooks: 0, seed: 11 });
    const unhook = onListRequest(suite.sim, 2, () => suite.sim.failFor(4000, 503));
    const res = await startPull(suite.app, { source: 'zoho', entityType: 'product', mode: 'full' });
    expect(res.statusCode).toBe(202);
    const paused = await waitForRun(suite.app, res.json().id, (run) => run.pull?.paused?.code === 'SOURCE.CIRCUIT_OPEN', 20_000);
    expect(paused.status).toBe('running');
    // The phone's view of it: no further along than the fetch, though the workers applied all that arrived.
    const bff = await suite.app.inject({ method: 'GET', url: `/api/bff/tds/sync-runs/${paused.id}`, headers: { authorization: `Bearer ${KEYS.viewer}` } });
    expect(bff.json().progressPercent).toBeLessThan(100);
    expect(bff.json().progressPercent).toBeLessThanOrEqual(Math.ceil(paused.pull!.estimatedPercent));
    await eventually(async () => {
      await suite.app.get(CommandBus).execute(new EvaluateAlertsCommand());
      expect(await openAlerts(suite, 'source_circuit_open')).toHaveLength(1);
    }, 10_000);
    unhook();
    const done = await waitForRun(suite.app, res.json().id, (run) => run.status !== 'running', 60_000);
    expect(done).toMatchObject({ status: 'completed', failed: 0 });
    expect(done.pull!.paused).toBeNull();
    await expectMirrored(suite, 'product', 'item_id');
    await eventually(async () => {
      await suite.app.get(CommandBus).execute(new EvaluateAlertsCommand());
      expect(await openAlerts(suite, 'source_circuit_open')).toHaveLength(0);
    }, 10_000);
  });
});

// The embedded default: one session shared by the pull runner, the workers, the relay and the webhook route.
describe('pull runs on the embedded PGlite (simulator)', () => {
  const suite = usePullApp({}, {}, 'pglite');

  it('mirrors a full run, then a webhook and an incremental pull of the same edit apply once', async () => {
    suite.sim.seed({ products: 450, warehouses: 2, customers: 250, invoices: 0, salesOrders: 0, priceBooks: 0, seed: 21, sameTimestampRuns: 1 });
    const [products, customers] = await Promise.all([pullToEnd(suite.app, 'product', 'full'), pullToEnd(suite.app, 'customer', 'full')]);
    expect([products.status, customers.status]).toEqual(['completed', 'completed']);
    await expectMirrored(suite, 'product', 'item_id');
    await expectMirrored(suite, 'customer', 'contact_id');

    const item = suite.sim.touch('product', String(suite.sim.records('product')[3].item_id), { rate: 77 });
    expect((await deliver(suite.app, 'zoho', { item }, { query: 'event=item.updated' })).statusCode).toBe(202);
    const incremental = await pullToEnd(suite.app, 'product', 'incremental');
    expect(incremental.status).toBe('completed');
    await waitUntilDrained(suite.db);
    const copies = await rows<{ n: number }>(
      suite.db,
      `SELECT count(*)::int AS n FROM tds_sync_queue WHERE entity_type = 'product' AND source_entity_id = $1 AND version = $2`,
      [String(item.item_id), versionOf(item)],
    );
    expect(copies).toEqual([{ n: 1 }]);
    await expectMirrored(suite, 'product', 'item_id');
  });
});
