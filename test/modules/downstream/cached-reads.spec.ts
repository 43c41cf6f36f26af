import { createHmac, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../../support/create-test-app.js';
import { TEST_REDIS_URL } from '../../support/global-setup.js';
import { eventually } from '../../support/spawn-app.js';
import { createTestDatabase, describePostgres, describeRedis, type TestDatabase } from '../../support/test-database.js';
import { zohoItem } from '../tds/fixtures/zoho-payloads.js';

const SECRET = 'cache-test-secret';
const VIEWER = 'viewer-key-0123456789abcd';

/** A signed Zoho item webhook: the way a change reaches TDS in production. */
async function deliverItem(app: TestApp, itemId: string, name: string, modified: string): Promise<void> {
  const { warehouses: _ignored, ...item } = zohoItem;
  const body = JSON.stringify({ item: { ...item, item_id: itemId, name, sku: `SKU-${itemId}`, last_modified_time: modified } });
  const res = await app.app.inject({
    method: 'POST',
    url: '/api/tds/webhooks/zoho?event=item.updated',
    headers: { 'content-type': 'application/json', 'x-zoho-webhook-signature': createHmac('sha256', SECRET).update(body).digest('hex') },
    payload: body,
  });
  expect(res.statusCode).toBe(202);
}

const get = (app: TestApp, url: string) => app.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${VIEWER}` } });

/**
 * Cached inventory reads follow the changes: a product read (and cached) on one instance, changed
 * through a webhook on another, reads new on the first once the relay has run — with the shared
 * Redis store and with each instance's own memory store (invalidations broadcast by NOTIFY).
 */
function cachedReadsFollowChanges(store: 'memory' | 'redis') {
  let database: TestDatabase;
  let reader: TestApp;
  let writer: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = {
      DATABASE_URL: database.url,
      TDS_API_KEYS: `viewer:${VIEWER}`,
      TDS_SOURCES_ZOHO_SECRETS: SECRET,
      TDS_POLL_INTERVAL_MS: '50',
      TDS_OUTBOX_POLL_INTERVAL_MS: '50',
      // Long enough that only an invalidation can explain a fresh read.
      TDS_CACHE_TTL_MS: '3600000',
      ...(store === 'redis' ? { REDIS_URL: TEST_REDIS_URL, TDS_CACHE_NAMESPACE: `t${randomUUID().slice(0, 8)}` } : {}),
    };
    reader = await createTestApp({ ...env, TDS_WORKERS_ENABLED: 'false', TDS_OUTBOX_RELAY_ENABLED: 'false' });
    writer = await createTestApp(env);
  });
  afterAll(async () => {
    await reader?.close();
    await writer?.close();
    await database?.drop();
  });

  it(`a cached product read shows the change once it is relayed (${store} store)`, async () => {
    await deliverItem(writer, 'cache-1', 'Blue widget', '2025-11-18T02:02:51+0300');
    const id = await eventually(async () => {
      const res = await get(reader, '/api/inventory/products?sku=SKU-cache-1');
      expect(res.json().items).toHaveLength(1);
      return res.json().items[0].id as number;
    }, 30_000);
    expect((await get(reader, `/api/inventory/products/${id}`)).json()).toMatchObject({ name: 'Blue widget' });

    // Cached now: a write behind the cache's back is not seen...
    await reader.app.get(DataSource).query(`UPDATE inventory_products SET name = 'Behind the back' WHERE id = $1`, [id]);
    expect((await get(reader, `/api/inventory/products/${id}`)).json().name).toBe('Blue widget');
    expect((await get(reader, '/api/inventory/products?sku=SKU-cache-1')).json().items[0].name).toBe('Blue widget');

    // ...but a change through TDS is, on the other instance, as soon as the reaction has committed.
    await deliverItem(writer, 'cache-1', 'Red widget', '2025-11-19T02:02:51+0300');
    await eventually(async () => {
      expect((await get(reader, `/api/inventory/products/${id}`)).json()).toMatchObject({ name: 'Red widget' });
      expect((await get(reader, '/api/inventory/products?sku=SKU-cache-1')).json().items[0].name).toBe('Red widget');
    }, 30_000);
  });
}

describePostgres('cached inventory reads, memory store', () => cachedReadsFollowChanges('memory'));
describeRedis('cached inventory reads, Redis store', () => describePostgres('on PostgreSQL', () => cachedReadsFollowChanges('redis')));
