import { DataSource } from 'typeorm';
import type { TestApp } from '../../../support/create-test-app.js';
import { createTestApp } from '../../../support/create-test-app.js';
import { waitUntilDrained } from '../../../support/queue-fixtures.js';
import { describeEachBackend } from '../../../support/test-database.js';
import { zohoItem, zohoPricebook } from '../fixtures/zoho-payloads.js';
import { deliver, embeddedWebhookEnv, sql, webhookEnv } from './webhook-test-kit.js';

/**
 * A record whose source gives no version (a Zoho price book, an item without
 * last_modified_time) is versioned by its receipt time, so a replay of an old signed body, at
 * a new receipt time, would win over everything since. Within the replay window, a delivery
 * repeating such a record's earlier content is a duplicate instead.
 */
describeEachBackend('replay safety for receipt-time versions', (backend) => {
  let testApp: TestApp;
  const logs: string[] = [];
  const app = () => testApp.app;

  beforeAll(async () => {
    testApp = await createTestApp(
      { ...webhookEnv, ...backend.env, TDS_POLL_INTERVAL_MS: '50', TDS_INGEST_GROUP_WINDOW_MS: '0', LOG_LEVEL: 'info' },
      { logDestination: { write: (line: string) => void logs.push(line) } },
    );
  });
  afterAll(() => testApp?.close());

  const drained = () => waitUntilDrained(app().get(DataSource), 30_000);
  const mirrored = async (entityType: string, id: string) =>
    (
      await sql<{ data: Record<string, unknown> }>(
        app(),
        `SELECT data FROM tds_entities WHERE source = 'zoho' AND entity_type = $1 AND source_entity_id = $2`,
        [entityType, id],
      )
    )[0]?.data;

  it('warns at start-up that a source without a timestamp header can be replayed', () => {
    const warning = logs.map((line) => (JSON.parse(line) as { msg: string }).msg).find((msg) => msg.includes('"zoho" signs no timestamp'));
    expect(warning).toContain('TDS_SOURCES_ZOHO_TIMESTAMP_HEADER');
    expect(warning).toContain('TDS_WEBHOOK_REPLAY_WINDOW_S');
  });

  it('keeps the replay of a superseded price book body as a duplicate, not applied', async () => {
    const id = 'pb-replay-1';
    const a = JSON.stringify({ pricebook: { ...zohoPricebook, pricebook_id: id, name: 'Promo' } });
    const b = JSON.stringify({ pricebook: { ...zohoPricebook, pricebook_id: id, name: 'Regular' } });
    const first = await deliver(app(), 'zoho', a, { raw: true });
    expect(first.statusCode).toBe(202);
    await drained();
    expect((await deliver(app(), 'zoho', b, { raw: true })).statusCode).toBe(202);
    await drained();
    expect(await mirrored('price_list', id)).toMatchObject({ name: 'Regular' });

    // The attacker's copy of the first signed body, sent again later: same bytes, same signature.
    const replay = await deliver(app(), 'zoho', a, { raw: true });
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toEqual({ duplicate: true, inboxId: first.json().inboxId });
    // A fresh delivery id header does not make it new: the header is not signed.
    const withId = await deliver(app(), 'zoho', a, { raw: true, headers: { 'x-tds-delivery-id': 'forged-1' } });
    expect(withId.statusCode).toBe(200);
    await drained();
    expect(await mirrored('price_list', id)).toMatchObject({ name: 'Regular' });
  });

  it('does the same for an item without last_modified_time, and not for one with it', async () => {
    const { last_modified_time: _dropped, warehouses: _levels, ...unversioned } = zohoItem;
    const a = JSON.stringify({ item: { ...unversioned, item_id: 'it-replay-1', rate: 10 } });
    const b = JSON.stringify({ item: { ...unversioned, item_id: 'it-replay-1', rate: 20 } });
    expect((await deliver(app(), 'zoho', a, { raw: true })).statusCode).toBe(202);
    await drained();
    expect((await deliver(app(), 'zoho', b, { raw: true })).statusCode).toBe(202);
    await drained();
    expect((await deliver(app(), 'zoho', a, { raw: true })).statusCode).toBe(200);
    await drained();
    expect(await mirrored('product', 'it-replay-1')).toMatchObject({ rate: 20 });

    // A record with a version of its own is ordered by it: an older body loses anyway, a
    // newer one with earlier content (A → B → A) is a real edit and applies.
    const versioned = (rate: number, at: string) => ({ item: { ...zohoItem, item_id: 'it-versioned-1', rate, last_modified_time: at } });
    expect((await deliver(app(), 'zoho', versioned(10, '2025-11-18T02:00:00+0300'))).statusCode).toBe(202);
    expect((await deliver(app(), 'zoho', versioned(20, '2025-11-18T02:01:00+0300'))).statusCode).toBe(202);
    expect((await deliver(app(), 'zoho', versioned(10, '2025-11-18T02:02:00+0300'))).statusCode).toBe(202);
    await drained();
    expect(await mirrored('product', 'it-versioned-1')).toMatchObject({ rate: 10 });
  });

  it('applies earlier content again once the window has passed (the documented trade-off)', async () => {
    const id = 'pb-replay-2';
    const a = JSON.stringify({ pricebook: { ...zohoPricebook, pricebook_id: id, name: 'Promo' } });
    const b = JSON.stringify({ pricebook: { ...zohoPricebook, pricebook_id: id, name: 'Regular' } });
    expect((await deliver(app(), 'zoho', a, { raw: true })).statusCode).toBe(202);
    await drained();
    expect((await deliver(app(), 'zoho', b, { raw: true })).statusCode).toBe(202);
    await drained();
    // Both deliveries received more than the window (a day by default) ago.
    await sql(app(), `UPDATE tds_inbox_events SET received_at = received_at - interval '25 hours' WHERE source_entity_id = $1`, [id]);
    expect((await deliver(app(), 'zoho', a, { raw: true })).statusCode).toBe(202);
    await drained();
    expect(await mirrored('price_list', id)).toMatchObject({ name: 'Promo' });
  });
});

describe('replay safety turned off (TDS_WEBHOOK_REPLAY_WINDOW_S=0)', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await createTestApp({ ...embeddedWebhookEnv, TDS_WEBHOOK_REPLAY_WINDOW_S: '0' });
  });
  afterAll(() => testApp?.close());

  it('stores every delivery of a receipt-versioned record as new, as before', async () => {
    const body = JSON.stringify({ pricebook: { ...zohoPricebook, pricebook_id: 'pb-off-1' } });
    const first = await deliver(testApp.app, 'zoho', body, { raw: true });
    const again = await deliver(testApp.app, 'zoho', body, { raw: true });
    expect([first.statusCode, again.statusCode]).toEqual([202, 202]);
    expect(again.json().inboxId).not.toBe(first.json().inboxId);
  });
});
