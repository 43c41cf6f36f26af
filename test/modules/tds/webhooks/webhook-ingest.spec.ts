import { DataSource } from 'typeorm';
import type { TestApp } from '../../../support/create-test-app.js';
import { createTestApp } from '../../../support/create-test-app.js';
import { waitUntilDrained } from '../../../support/queue-fixtures.js';
import { createTestDatabase, describePostgres } from '../../../support/test-database.js';
import type { TestDatabase } from '../../../support/test-database.js';
import { zohoContact, zohoItem } from '../fixtures/zoho-payloads.js';
import { countStored, deliver, KEYS, SECRETS, sign, sql, webhookEnv, zohoDeliveries } from './webhook-test-kit.js';

const ZOHO_VERSION_MS = Date.UTC(2025, 10, 17, 23, 2, 51); // 2025-11-18T02:02:51+0300

/** A contact (one queue item) made distinct by `n`, optionally at another last_modified_time. */
function contact(n: number, overrides: Record<string, unknown> = {}) {
  return { contact: { ...zohoContact, contact_id: `9100000000${n}`, contact_name: `Customer ${n}`, ...overrides } };
}

describePostgres('POST /api/tds/webhooks/:source and GET /api/tds/inbox/:id', () => {
  let database: TestDatabase;
  let testApp: TestApp;
  const app = () => testApp.app;

  beforeAll(async () => {
    database = await createTestDatabase();
    testApp = await createTestApp({ ...webhookEnv, DATABASE_URL: database.url, TDS_POLL_INTERVAL_MS: '50' });
  });
  afterAll(async () => {
    await testApp?.close();
    await database?.drop();
  });

  const drained = () => waitUntilDrained(app().get(DataSource), 30_000);
  const mirror = (entityType: string, sourceEntityId: string) =>
    sql<{ version: number; data: Record<string, unknown>; deleted: boolean }>(
      app(),
      `SELECT version, data, deleted FROM tds_entities WHERE source = 'zoho' AND entity_type = $1 AND source_entity_id = $2`,
      [entityType, sourceEntityId],
    ).then(([row]) => row);

  describe('accepted deliveries', () => {
    it('accepts, queues and applies one realistic Zoho payload per entity type', async () => {
      const deliveries = Object.entries(zohoDeliveries).map(([module, d]) => ({ module, ...d }));
      const accepted = new Map<string, { inboxId: number; queueItemIds: number[] }>();
      for (const { module, body } of deliveries) {
        const res = await deliver(app(), 'zoho', body, { query: `event=${module}.updated`, headers: { 'user-agent': 'Zoho-Webhook' } });
        expect({ module, status: res.statusCode }).toEqual({ module, status: 202 });
        expect(res.json()).toEqual({ accepted: true, inboxId: expect.any(Number), queueItemIds: expect.any(Array) });
        accepted.set(module, res.json());
      }
      // The item also became one stock level per warehouse.
      expect(accepted.get('item')!.queueItemIds).toHaveLength(3);
      for (const module of ['contact', 'invoice', 'salesorder', 'pricebook', 'inventory_adjustment']) {
        expect(accepted.get(module)!.queueItemIds).toHaveLength(1);
      }

      const [inbox] = await sql<Record<string, unknown>>(
        app(),
        `SELECT source, entity_type AS "entityType", source_entity_id AS "sourceEntityId", operation, version,
                status, signature_verified AS "signatureVerified", validation_errors AS "validationErrors",
                raw_payload AS "rawPayload", headers, content_hash AS "contentHash"
         FROM tds_inbox_events WHERE id = $1`,
        [accepted.get('item')!.inboxId],
      );
      const itemBody = JSON.stringify(zohoDeliveries.item.body);
      expect(inbox).toEqual({
        source: 'zoho',
        entityType: 'product',
        sourceEntityId: zohoItem.item_id,
        operation: 'update',
        version: ZOHO_VERSION_MS,
        status: 'queued',
        signatureVerified: true,
        validationErrors: null,
        rawPayload: zohoDeliveries.item.body,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(itemBody)),
          'user-agent': 'Zoho-Webhook',
          'x-zoho-webhook-signature': sign(itemBody, SECRETS.zoho),
        },
        contentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      const items = await sql<Record<string, unknown>>(
        app(),
        `SELECT source, inbox_event_id AS "inboxEventId", entity_type AS "entityType", source_entity_id AS "sourceEntityId", version
         FROM tds_sync_queue WHERE id = ANY ($1::bigint[]) ORDER BY id`,
        [accepted.get('item')!.queueItemIds],
      );
      const inboxEventId = accepted.get('item')!.inboxId;
      expect(items).toEqual([
        { source: 'zoho', inboxEventId, entityType: 'product', sourceEntityId: zohoItem.item_id, version: ZOHO_VERSION_MS },
        { source: 'zoho', inboxEventId, entityType: 'stock_level', sourceEntityId: `${zohoItem.item_id}:4815000000035071`, version: ZOHO_VERSION_MS },
        { source: 'zoho', inboxEventId, entityType: 'stock_level', sourceEntityId: `${zohoItem.item_id}:4815000000035093`, version: ZOHO_VERSION_MS },
      ]);

      await drained();
      for (const { entityType, sourceEntityId, body } of deliveries) {
        const row = await mirror(entityType, sourceEntityId);
        expect({ entityType, data: row?.data, deleted: row?.deleted }).toEqual({ entityType, data: Object.values(body)[0], deleted: false });
      }
      expect((await mirror('stock_level', `${zohoItem.item_id}:4815000000035071`)).data).toMatchObject({ warehouse_stock_on_hand: 20 });
      expect((await mirror('stock_level', `${zohoItem.item_id}:4815000000035093`)).data).toMatchObject({ warehouse_stock_on_hand: 8 });
      // A price book has no last_modified_time: its version is the time it was received.
      const [pricebook] = await sql<{ receivedMs: number }>(
        app(),
        `SELECT (extract(epoch FROM received_at) * 1000)::bigint AS "receivedMs" FROM tds_inbox_events WHERE id = $1`,
        [accepted.get('pricebook')!.inboxId],
      );
      expect((await mirror('price_list', zohoDeliveries.pricebook.sourceEntityId)).version).toBe(pricebook.receivedMs);
    });

    it('answers a redelivery 200 duplicate with the first inbox id and stores nothing new', async () => {
      const body = contact(1);
      const first = await deliver(app(), 'zoho', body);
      expect(first.statusCode).toBe(202);
      const before = await countStored(app());
      for (let i = 0; i < 3; i++) {
        const again = await deliver(app(), 'zoho', body);
        expect(again.statusCode).toBe(200);
        expect(again.json()).toEqual({ duplicate: true, inboxId: first.json().inboxId });
      }
      expect(await countStored(app())).toEqual(before);
    });

    it('takes the generic envelope, recognising redeliveries by the delivery id header', async () => {
      const envelope = {
        entityType: 'customer',
        sourceEntityId: 'erp-77',
        operation: 'update',
        version: 12,
        payload: { ...zohoContact, contact_id: 'erp-77' },
      };
      const first = await deliver(app(), 'generic', envelope, { headers: { 'x-tds-delivery-id': 'delivery-77' } });
      expect(first.statusCode).toBe(202);
      const again = await deliver(app(), 'generic', envelope, { headers: { 'x-tds-delivery-id': 'delivery-77' } });
      expect(again.json()).toEqual({ duplicate: true, inboxId: first.json().inboxId });
      const [row] = await sql(app(), `SELECT headers FROM tds_inbox_events WHERE id = $1`, [first.json().inboxId]);
      expect(row.headers).toMatchObject({ 'x-tds-delivery-id': 'delivery-77' });
    });

    it('accepts two edits of one record; the mirror ends at the newer even when it arrives first', async () => {
      const older = contact(2, { contact_name: 'Older name', last_modified_time: '2025-11-18T02:02:51+0300' });
      const newer = contact(2, { contact_name: 'Newer name', last_modified_time: '2025-11-18T03:15:00+0300' });
      const first = await deliver(app(), 'zoho', newer);
      expect(first.statusCode).toBe(202);
      await drained();
      const second = await deliver(app(), 'zoho', older);
      // A real edit, not a duplicate of the newer one.
      expect(second.statusCode).toBe(202);
      expect(second.json().inboxId).not.toBe(first.json().inboxId);
      await drained();
      const row = await mirror('customer', older.contact.contact_id);
      expect(row).toMatchObject({ version: Date.UTC(2025, 10, 18, 0, 15, 0), data: { contact_name: 'Newer name' } });
      const [olderItem] = await sql(app(), `SELECT status FROM tds_sync_queue WHERE id = $1`, [second.json().queueItemIds[0]]);
      expect(olderItem.status).toBe('superseded');
    });

    it('50 concurrent identical deliveries: one inbox row, one queue item, 49 duplicates, no 5xx', async () => {
      const body = contact(3);
      const before = await countStored(app());
      const responses = await Promise.all(Array.from({ length: 50 }, () => deliver(app(), 'zoho', body)));
      const statuses = responses.map((res) => res.statusCode);
      expect(statuses.filter((s) => s === 202)).toHaveLength(1);
      expect(statuses.filter((s) => s === 200)).toHaveLength(49);
      const inboxId = responses.find((res) => res.statusCode === 202)!.json().inboxId;
      for (const res of responses.filter((r) => r.statusCode === 200)) expect(res.json()).toEqual({ duplicate: true, inboxId });
      expect(await countStored(app())).toEqual({ inbox: before.inbox + 1, queue: before.queue + 1 });
    });
  });

  describe('refused deliveries', () => {
    let before: { inbox: number; queue: number };
    beforeEach(async () => {
      before = await countStored(app());
    });
    const expectNothingStored = async () => expect(await countStored(app())).toEqual(before);

    it('malformed JSON → 400 MALFORMED_JSON, nothing stored', async () => {
      const raw = '{"contact": {"contact_id": ';
      const res = await deliver(app(), 'zoho', raw, { raw: true });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ statusCode: 400, error: 'MALFORMED_JSON' });
      await expectNothingStored();
    });

    it('missing or bad signature → 401, nothing stored', async () => {
      const body = contact(10);
      const text = JSON.stringify(body);
      const cases: [string | false, string][] = [
        [false, 'WEBHOOK.MISSING_SIGNATURE'],
        ['not-a-signature', 'WEBHOOK.INVALID_SIGNATURE'],
        [sign(text, 'another-secret'), 'WEBHOOK.INVALID_SIGNATURE'],
        [sign(JSON.stringify(contact(11)), SECRETS.zoho), 'WEBHOOK.INVALID_SIGNATURE'],
        // Another source's secret.
        [sign(text, SECRETS.generic), 'WEBHOOK.INVALID_SIGNATURE'],
      ];
      for (const [signature, code] of cases) {
        const res = await deliver(app(), 'zoho', body, { signature });
        expect({ status: res.statusCode, error: res.json().error }).toEqual({ status: 401, error: code });
        expect(res.headers['www-authenticate']).toMatch(/^HMAC-SHA256/);
      }
      await expectNothingStored();
    });

    it('a delete asked for only by the unsigned query → 401 WEBHOOK.UNSIGNED_DELETE, nothing stored', async () => {
      const res = await deliver(app(), 'zoho', contact(12), { query: 'event=contact.deleted' });
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toBe('WEBHOOK.UNSIGNED_DELETE');
      await expectNothingStored();
    });

    it('unknown source → 404 WEBHOOK.UNKNOWN_SOURCE, nothing stored', async () => {
      for (const source of ['shopify', 'ZOHO', '__proto__', 'constructor']) {
        const res = await deliver(app(), source, contact(13));
        expect(res.statusCode).toBe(404);
        expect(res.json()).toMatchObject({ statusCode: 404, error: 'WEBHOOK.UNKNOWN_SOURCE' });
      }
      await expectNothingStored();
    });

    it('a body over 1 MiB → 413, nothing stored', async () => {
      const body = contact(14, { notes: 'x'.repeat(1024 * 1024) });
      const res = await deliver(app(), 'zoho', body);
      expect(res.statusCode).toBe(413);
      expect(res.json()).toMatchObject({ statusCode: 413, error: 'PAYLOAD_TOO_LARGE' });
      await expectNothingStored();
    });

    it('a content type other than JSON → 415, nothing stored', async () => {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
        const res = await deliver(app(), 'zoho', contact(15), { headers: { 'content-type': type } });
        expect(res.statusCode).toBe(415);
        expect(res.json()).toMatchObject({ statusCode: 415, error: 'UNSUPPORTED_MEDIA_TYPE' });
      }
      await expectNothingStored();
    });

    it('an invalid record → 422 with the field errors, kept as an invalid inbox row; a redelivery → 422 again, nothing new', async () => {
      const body = contact(16, { contact_name: 42 });
      const res = await deliver(app(), 'zoho', body);
      expect(res.statusCode).toBe(422);
      const refusal = res.json();
      expect(refusal).toMatchObject({ statusCode: 422, error: 'VALIDATION_FAILED' });
      expect(refusal.details).toEqual(expect.arrayContaining([{ path: 'contact.contact_name', message: expect.any(String) }]));

      const [row] = await sql(
        app(),
        `SELECT id, status, entity_type AS "entityType", source_entity_id AS "sourceEntityId", validation_errors AS "validationErrors",
                raw_payload AS "rawPayload", signature_verified AS "signatureVerified"
         FROM tds_inbox_events ORDER BY id DESC LIMIT 1`,
      );
      expect(row).toEqual({
        id: expect.any(Number),
        status: 'invalid',
        entityType: 'customer',
        sourceEntityId: body.contact.contact_id,
        validationErrors: refusal.details,
        rawPayload: body,
        signatureVerified: true,
      });
      expect(await countStored(app())).toEqual({ inbox: before.inbox + 1, queue: before.queue });

      const again = await deliver(app(), 'zoho', body);
      expect(again.statusCode).toBe(422);
      expect(again.json().details).toEqual(refusal.details);
      expect(await countStored(app())).toEqual({ inbox: before.inbox + 1, queue: before.queue });
    });

    it('a signed body PostgreSQL cannot store (a NUL character) → 422, an invalid row without the body', async () => {
      const raw = JSON.stringify(contact(17)).replace('Customer 17', 'Customer \\u0000 17');
      const res = await deliver(app(), 'zoho', raw, { raw: true });
      expect(res.statusCode).toBe(422);
      expect(res.json().details).toEqual(expect.arrayContaining([{ path: '', message: expect.stringContaining('NUL') }]));
      const [row] = await sql(app(), `SELECT status, raw_payload AS "rawPayload" FROM tds_inbox_events ORDER BY id DESC LIMIT 1`);
      expect(row).toEqual({ status: 'invalid', rawPayload: null });
      expect(await countStored(app())).toEqual({ inbox: before.inbox + 1, queue: before.queue });
    });

    it('over the source rate → 429 WEBHOOK.RATE_LIMITED with Retry-After, and those store nothing', async () => {
      // `slow` takes 2 deliveries/s, with a burst of 2.
      const responses = [];
      for (let n = 0; n < 5; n++) {
        responses.push(
          await deliver(app(), 'slow', {
            entityType: 'customer',
            sourceEntityId: `slow-${n}`,
            operation: 'update',
            version: 1,
            payload: { ...zohoContact, contact_id: `slow-${n}` },
          }),
        );
      }
      const limited = responses.filter((res) => res.statusCode === 429);
      expect(limited.length).toBeGreaterThanOrEqual(2);
      for (const res of limited) {
        expect(res.json()).toMatchObject({ statusCode: 429, error: 'WEBHOOK.RATE_LIMITED' });
        expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      }
      const stored = responses.filter((res) => res.statusCode === 202).length;
      expect(stored).toBe(5 - limited.length);
      expect(await countStored(app())).toEqual({ inbox: before.inbox + stored, queue: before.queue + stored });
    });
  });

  describe('GET /api/tds/inbox/:id', () => {
    const get = (id: number | string, key: string | null = KEYS.viewer) =>
      app().inject({ method: 'GET', url: `/api/tds/inbox/${id}`, headers: key ? { authorization: `Bearer ${key}` } : {} });

    it('shows the delivery and the queue items it became, with what became of them', async () => {
      const body = { item: { ...zohoItem, item_id: '4815000000099001' } };
      const accepted = await deliver(app(), 'zoho', body, { query: 'event=item.created' });
      expect(accepted.statusCode).toBe(202);
      const { inboxId, queueItemIds } = accepted.json();
      await drained();

      const res = await get(inboxId);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        id: inboxId,
        source: 'zoho',
        entityType: 'product',
        sourceEntityId: '4815000000099001',
        operation: 'create',
        version: ZOHO_VERSION_MS,
        idempotencyKey: expect.any(String),
        contentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        status: 'queued',
        validationErrors: null,
        receivedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
        signatureVerified: true,
        headers: expect.objectContaining({ 'content-type': 'application/json', 'x-zoho-webhook-signature': expect.any(String) }),
        queueItems: [
          { id: queueItemIds[0], entityType: 'product', sourceEntityId: '4815000000099001', operation: 'create', version: ZOHO_VERSION_MS, status: 'completed', attempt: 0, lastError: null, errorCode: null },
          { id: queueItemIds[1], entityType: 'stock_level', sourceEntityId: '4815000000099001:4815000000035071', operation: 'create', version: ZOHO_VERSION_MS, status: 'completed', attempt: 0, lastError: null, errorCode: null },
          { id: queueItemIds[2], entityType: 'stock_level', sourceEntityId: '4815000000099001:4815000000035093', operation: 'create', version: ZOHO_VERSION_MS, status: 'completed', attempt: 0, lastError: null, errorCode: null },
        ],
      });
    });

    it('shows an invalid delivery with its errors and no queue items', async () => {
      const refused = await deliver(app(), 'zoho', { contact: { contact_id: '9100000000999' } });
      expect(refused.statusCode).toBe(422);
      const [{ id }] = await sql<{ id: number }>(app(), `SELECT id FROM tds_inbox_events ORDER BY id DESC LIMIT 1`);
      const res = await get(id);
      expect(res.json()).toMatchObject({ id, status: 'invalid', validationErrors: refused.json().details, queueItems: [] });
    });

    it('404 INBOX.NOT_FOUND, 422 for an id that is not one', async () => {
      const missing = await get(99_999_999);
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toMatchObject({ statusCode: 404, error: 'INBOX.NOT_FOUND' });
      for (const id of ['abc', '0', '1e30', '99999999999999999999']) expect((await get(id)).statusCode).toBe(422);
    });

    it('needs a viewer key or higher', async () => {
      const [{ id }] = await sql<{ id: number }>(app(), `SELECT min(id)::int AS id FROM tds_inbox_events`);
      expect((await get(id, null)).json()).toMatchObject({ statusCode: 401, error: 'AUTH.MISSING_API_KEY' });
      expect((await get(id, 'wrong-key')).statusCode).toBe(401);
      for (const key of Object.values(KEYS)) expect((await get(id, key)).statusCode).toBe(200);
    });

    it('both routes are in the OpenAPI document, the webhook without the API key requirement', async () => {
      const paths = (await app().inject({ method: 'GET', url: '/api/docs-json' })).json().paths;
      expect(paths['/api/tds/webhooks/{source}'].post.security).toEqual([{}]);
      expect(paths['/api/tds/inbox/{id}']).toHaveProperty('get');
    });
  });
});
