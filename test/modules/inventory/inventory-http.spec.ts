import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { queryRows } from '../../../src/shared/database/sql.js';
import { createTestApp, type TestApp } from '../../support/create-test-app.js';
import { waitUntilDrained } from '../../support/queue-fixtures.js';
import { eventually } from '../../support/spawn-app.js';
import { describeEachBackend } from '../../support/test-database.js';
import { zohoItem, zohoStockLevel } from '../tds/fixtures/zoho-payloads.js';
import { API_KEYS, getAs, KEYS } from './inventory-test-kit.js';

/*
 * End to end: items enqueued through POST /api/tds/queue are applied by the workers, relayed
 * from the outbox, and land in the inventory through its reaction; then the read API.
 */

interface Item {
  entityType: string;
  sourceEntityId: string;
  operation: 'create' | 'update' | 'delete';
  version: number;
  payload: Record<string, unknown>;
}

const { warehouses: _warehouses, ...itemWithoutWarehouses } = zohoItem;
const product = (id: string, name: string, extra: Record<string, unknown> = {}, version = 1): Item => ({
  entityType: 'product',
  sourceEntityId: id,
  operation: 'update',
  version,
  payload: { ...itemWithoutWarehouses, item_id: id, name, sku: `SKU-${id}`, ...extra },
});
const stockLevel = (itemId: string, warehouseId: string, warehouseName: string, onHand: number, available: number): Item => ({
  entityType: 'stock_level',
  sourceEntityId: `${itemId}:${warehouseId}`,
  operation: 'update',
  version: 1,
  payload: {
    ...zohoStockLevel,
    item_id: itemId,
    warehouse_id: warehouseId,
    warehouse_name: warehouseName,
    warehouse_stock_on_hand: onHand,
    warehouse_available_stock: available,
  },
});

const WIDGETS = 23;

describeEachBackend('inventory read API over the sync pipeline', (backend) => {
  let testApp: TestApp;
  let app: NestFastifyApplication;
  let db: DataSource;
  const ids = new Map<string, number>();

  const get = (url: string, key?: string | null) => getAs(app, url, key);
  const enqueue = async (items: Item[]) => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/tds/queue',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.service}` },
      payload: JSON.stringify({ items }),
    });
    expect(res.statusCode).toBe(202);
    await waitUntilDrained(db);
  };
  const names = (body: { items: { name: string }[] }) => body.items.map((p) => p.name);
  const list = async (query: string) => {
    const res = await get(`/api/inventory/products?${query}`);
    expect(res.statusCode).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    testApp = await createTestApp({
      ...backend.env,
      TDS_API_KEYS: API_KEYS,
      TDS_POLL_INTERVAL_MS: '50',
      TDS_OUTBOX_POLL_INTERVAL_MS: '50',
    });
    app = testApp.app;
    db = app.get(DataSource);

    await enqueue([
      product('a1', 'Laptop-white/15inch/dell', { sku: 'LAP-WH-15', rate: 122 }),
      product('a2', 'Laptop black 14inch HP', { sku: 'LAP-BK-14', rate: 99.9 }),
      product('a3', 'Wireless Mouse', { sku: 'MS-1', status: 'inactive' }),
      ...Array.from({ length: WIDGETS }, (_, i) => product(`w${i + 1}`, `Widget ${i + 1} gizmo`)),
      stockLevel('a1', 'wh-2', 'Basra', 8, 7),
      stockLevel('a1', 'wh-1', 'Main', 20, 18),
      // a level whose product never came: stored, shown nowhere
      stockLevel('zz', 'wh-1', 'Main', 1, 1),
    ]);
    // The relay and the reaction follow the queue: wait until the inventory shows everything.
    await eventually(async () => {
      const page = await list('limit=200');
      expect(page.items).toHaveLength(3 + WIDGETS);
      const detail = await get(`/api/inventory/products/${page.items[0].id}`);
      expect(detail.json().stockLevels).toHaveLength(2);
      for (const p of page.items) ids.set(p.sourceId, p.id);
    }, 60_000);
  });
  afterAll(async () => {
    await testApp?.close();
  });

  describe('GET /api/inventory/products/:id', () => {
    it('answers a product with its stock per warehouse', async () => {
      const res = await get(`/api/inventory/products/${ids.get('a1')}`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        id: ids.get('a1'),
        source: 'zoho',
        sourceId: 'a1',
        sku: 'LAP-WH-15',
        name: 'Laptop-white/15inch/dell',
        price: 122,
        unit: 'qty',
        status: 'active',
        active: true,
        deleted: false,
        version: 1,
        updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        stockLevels: [
          { warehouseId: 'wh-1', warehouseName: 'Main', onHand: 20, available: 18, updatedAt: expect.any(String) },
          { warehouseId: 'wh-2', warehouseName: 'Basra', onHand: 8, available: 7, updatedAt: expect.any(String) },
        ],
      });
    });

    it('answers 404 INVENTORY.PRODUCT_NOT_FOUND for an unknown id, 422 for a malformed one, 401 without a key', async () => {
      const missing = await get('/api/inventory/products/987654321');
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toEqual({ statusCode: 404, error: 'INVENTORY.PRODUCT_NOT_FOUND', message: 'Product 987654321 does not exist' });
      for (const id of ['abc', '0', '-1', '1.5', '99999999999999999999']) {
        expect((await get(`/api/inventory/products/${id}`)).statusCode).toBe(422);
      }
      expect((await get(`/api/inventory/products/${ids.get('a1')}`, null)).statusCode).toBe(401);
      expect((await get('/api/inventory/products', null)).statusCode).toBe(401);
    });
  });

  describe('GET /api/inventory/products filters', () => {
    it('finds by exact SKU', async () => {
      expect(names(await list('sku=LAP-WH-15'))).toEqual(['Laptop-white/15inch/dell']);
      expect(names(await list('sku=LAP-WH'))).toEqual([]);
    });

    it('filters by active', async () => {
      expect(names(await list('active=false'))).toEqual(['Wireless Mouse']);
      const active = await list('active=true&limit=200');
      expect(active.items).toHaveLength(2 + WIDGETS);
      expect(active.items.every((p: { active: boolean }) => p.active)).toBe(true);
    });

    it('matches name words as prefixes, all of them, whatever the punctuation and case', async () => {
      expect(names(await list('q=laptop'))).toEqual(['Laptop-white/15inch/dell', 'Laptop black 14inch HP']);
      expect(names(await list('q=dell'))).toEqual(['Laptop-white/15inch/dell']);
      expect(names(await list(`q=${encodeURIComponent('LAPTOP-wh 15in')}`))).toEqual(['Laptop-white/15inch/dell']);
      expect(names(await list('q=lap%20mouse'))).toEqual([]);
      expect(names(await list(`q=${encodeURIComponent("mou' & !(")}`))).toEqual(['Wireless Mouse']);
      expect(names(await list('q=laptop&active=true&sku=LAP-BK-14'))).toEqual(['Laptop black 14inch HP']);
    });
  });

  describe('keyset pagination', () => {
    it('walks every page in id order with no duplicates or gaps; the last page has no next cursor', async () => {
      const seen: number[] = [];
      const sizes: number[] = [];
      let cursor: string | null = null;
      do {
        const page = await list(`q=gizmo&limit=5${cursor ? `&cursor=${cursor}` : ''}`);
        sizes.push(page.items.length);
        seen.push(...page.items.map((p: { id: number }) => p.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(sizes).toEqual([5, 5, 5, 5, 3]);
      const expected = (
        await queryRows<{ id: string | number }>(db, `SELECT id FROM inventory_products WHERE name LIKE 'Widget %' ORDER BY id`)
      ).map((r) => Number(r.id));
      expect(seen).toEqual(expected);
    });

    it('ends without an empty page when the last page is full, and defaults to 50 per page', async () => {
      const exact = await list(`q=gizmo&limit=${WIDGETS}`);
      expect(exact.items).toHaveLength(WIDGETS);
      expect(exact.nextCursor).toBeNull();
      const all = await list('');
      expect(all.items).toHaveLength(3 + WIDGETS);
      expect(all.nextCursor).toBeNull();
    });

    it('refuses malformed parameters with 422 and never 500s', async () => {
      const foreignCursor = Buffer.from('not-an-id').toString('base64url');
      for (const query of [
        'limit=0',
        'limit=201',
        'limit=ten',
        'limit=1.5',
        'active=yes',
        'active=true&active=false',
        'sku=a&sku=b',
        'sku=',
        'cursor=',
        'limit=',
        'colour=red',
        'cursor=%21%21',
        `cursor=${foreignCursor}`,
        'q=',
        'q=%21%21%21',
        'q=a%00b',
        `sku=${'x'.repeat(201)}`,
      ]) {
        const res = await get(`/api/inventory/products?${query}`);
        expect({ query, status: res.statusCode, error: res.json().error }).toEqual({ query, status: 422, error: 'VALIDATION_FAILED' });
      }
    });
  });

  it('documents both routes in the OpenAPI document', async () => {
    const doc = (await get('/api/docs-json', null)).json();
    expect(doc.paths['/api/inventory/products'].get).toMatchObject({
      tags: ['inventory'],
      parameters: expect.arrayContaining(['sku', 'active', 'q', 'cursor', 'limit'].map((name) => expect.objectContaining({ name, in: 'query' }))),
      responses: expect.objectContaining({ 200: expect.anything(), 422: expect.anything() }),
    });
    expect(doc.paths['/api/inventory/products/{id}'].get.responses).toMatchObject({ 200: expect.anything(), 404: expect.anything() });
    expect(Object.keys(doc.components.schemas.ProductDetailDto.properties)).toContain('stockLevels');
  });

  // Last: it changes what the tests above read.
  describe('deletes', () => {
    it('shows a product deleted at the source as deleted and inactive, once the delete is through', async () => {
      const url = `/api/inventory/products/${ids.get('a2')}`;
      expect((await get(url)).json()).toMatchObject({ active: true, deleted: false });
      await enqueue([{ entityType: 'product', sourceEntityId: 'a2', operation: 'delete', version: 2, payload: { item_id: 'a2' } }]);
      await eventually(async () => expect((await get(url)).json()).toMatchObject({ name: 'Laptop black 14inch HP', active: false, deleted: true, version: 2 }), 30_000);
    });
  });
});
