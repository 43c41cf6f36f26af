import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { CATALOGUE_REACTION } from '../../../src/modules/inventory/reactions/inventory-catalogue.reaction.js';
import { queryRows } from '../../../src/shared/database/sql.js';
import { DurableReactions } from '../../../src/shared/reactions/durable-reactions.js';
import { createTestApp, type TestApp } from '../../support/create-test-app.js';
import { eventually } from '../../support/spawn-app.js';
import { describeEachBackend } from '../../support/test-database.js';
import { API_KEYS, entityChange, getAs, publishChanges, zohoLevel, zohoProduct } from './inventory-test-kit.js';

/*
 * The catalogue reaction, fed TdsEntitiesSyncedEvents directly (as the relay publishes them):
 * receipts, precedence across events, failures, and the reads' cache following the writes.
 */

describeEachBackend('inventory catalogue reaction', (backend) => {
  let testApp: TestApp;
  let app: NestFastifyApplication;
  let db: DataSource;

  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) => queryRows<T>(db, text, params);
  const productBySourceId = async (sourceId: string) => {
    const [row] = await sql<{ id: string | number }>(`SELECT id FROM inventory_products WHERE source = 'zoho' AND source_id = $1`, [sourceId]);
    return row ? Number(row.id) : undefined;
  };
  const detail = async (sourceId: string) => {
    const id = await productBySourceId(sourceId);
    const res = await getAs(app, `/api/inventory/products/${id}`);
    expect(res.statusCode).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    testApp = await createTestApp({
      ...backend.env,
      TDS_API_KEYS: API_KEYS,
      // Events come from the tests alone.
      TDS_WORKERS_ENABLED: 'false',
      TDS_OUTBOX_RELAY_ENABLED: 'false',
    });
    app = testApp.app;
    db = app.get(DataSource);
  });
  afterAll(async () => {
    await testApp?.close();
  });

  it('registers itself for product and stock level entity events', () => {
    expect(app.get(DurableReactions).registrations).toContainEqual({
      name: CATALOGUE_REACTION,
      eventTypes: ['tds.entity.create', 'tds.entity.update', 'tds.entity.delete'],
      entityTypes: ['product', 'stock_level'],
    });
  });

  it('applies a batch of products and stock levels, ignores other entity types, and receipts what it handled', async () => {
    const changes = [
      entityChange('product', 'r1', 3, zohoProduct('r1', 'Reaction drill', { rate: '45.50' })),
      entityChange('stock_level', 'r1:w1', 3, zohoLevel('r1', 'w1', 12)),
      entityChange('stock_level', 'r1:w2', 3, zohoLevel('r1', 'w2', 4, { warehouse_stock_on_hand: '4.25' })),
      entityChange('customer', 'c1', 1, { contact_id: 'c1', contact_name: 'Not inventory' }),
    ];
    await publishChanges(app, changes);

    expect(await detail('r1')).toEqual({
      id: expect.any(Number),
      source: 'zoho',
      sourceId: 'r1',
      sku: 'SKU-r1',
      name: 'Reaction drill',
      price: 45.5,
      unit: 'pcs',
      status: 'active',
      active: true,
      deleted: false,
      version: 3,
      updatedAt: expect.any(String),
      stockLevels: [
        { warehouseId: 'w1', warehouseName: 'Warehouse w1', onHand: 12, available: 11, updatedAt: expect.any(String) },
        { warehouseId: 'w2', warehouseName: 'Warehouse w2', onHand: 4.25, available: 3, updatedAt: expect.any(String) },
      ],
    });
    const receipts = await sql<{ eventId: string }>(`SELECT event_id AS "eventId" FROM tds_reaction_receipts WHERE reaction = $1`, [CATALOGUE_REACTION]);
    const receipted = receipts.map((r) => r.eventId);
    expect(receipted).toEqual(expect.arrayContaining(changes.slice(0, 3).map((c) => c.eventId)));
    expect(receipted).not.toContain(changes[3].eventId);
  });

  it('does nothing for an event delivered again, even if its data differ', async () => {
    const first = entityChange('product', 'r2', 1, zohoProduct('r2', 'Original name'));
    await publishChanges(app, [first]);
    // Same event ids (a redelivery), in another batch, with data that would otherwise win.
    await publishChanges(app, [{ ...first, version: 99, data: zohoProduct('r2', 'Changed on redelivery') }]);
    expect(await detail('r2')).toMatchObject({ name: 'Original name', version: 1 });
  });

  it('follows the mirror precedence across events: older ignored, delete wins its version, no resurrection by a late older update', async () => {
    await publishChanges(app, [entityChange('product', 'r3', 5, zohoProduct('r3', 'Version five'))]);
    await publishChanges(app, [entityChange('product', 'r3', 4, zohoProduct('r3', 'Version four, late'))]);
    expect(await detail('r3')).toMatchObject({ name: 'Version five', version: 5, active: true });

    await publishChanges(app, [entityChange('product', 'r3', 5, { item_id: 'r3' }, { operation: 'delete' })]);
    await publishChanges(app, [entityChange('product', 'r3', 5, zohoProduct('r3', 'Version five, again'))]);
    await publishChanges(app, [entityChange('product', 'r3', 3, zohoProduct('r3', 'Version three, very late'))]);
    expect(await detail('r3')).toMatchObject({ name: 'Version five', version: 5, active: false, deleted: true });

    // A delete it never saw an update for leaves a tombstone that an older update cannot lift.
    await publishChanges(app, [entityChange('product', 'r4', 8, { item_id: 'r4' }, { operation: 'delete' })]);
    await publishChanges(app, [entityChange('product', 'r4', 7, zohoProduct('r4', 'Older than its delete'))]);
    expect(await detail('r4')).toMatchObject({ name: '', active: false, deleted: true, version: 8 });
  });

  it('within one batch keeps the newest change of each key', async () => {
    await publishChanges(app, [
      entityChange('product', 'r5', 2, zohoProduct('r5', 'two')),
      entityChange('product', 'r5', 9, zohoProduct('r5', 'nine')),
      entityChange('product', 'r5', 9, { item_id: 'r5' }, { operation: 'delete' }),
      entityChange('product', 'r5', 3, zohoProduct('r5', 'three')),
      entityChange('stock_level', 'r5:w', 2, zohoLevel('r5', 'w', 2)),
      entityChange('stock_level', 'r5:w', 6, zohoLevel('r5', 'w', 6)),
      entityChange('stock_level', 'r5:w', 4, zohoLevel('r5', 'w', 4)),
    ]);
    expect(await detail('r5')).toMatchObject({ name: 'nine', version: 9, active: false, deleted: true, stockLevels: [expect.objectContaining({ onHand: 6 })] });
  });

  it('replaying every change again, in reverse and under new event ids, leaves the same state', async () => {
    const history = [
      entityChange('product', 'r6', 1, zohoProduct('r6', 'first')),
      entityChange('stock_level', 'r6:w', 1, zohoLevel('r6', 'w', 10)),
      entityChange('product', 'r6', 2, zohoProduct('r6', 'second', { status: 'inactive' })),
      entityChange('stock_level', 'r6:w', 2, zohoLevel('r6', 'w', 0)),
      entityChange('stock_level', 'r6:w9', 3, zohoLevel('r6', 'w9', 0), { operation: 'delete' }),
    ];
    for (const change of history) await publishChanges(app, [change]);
    const state = () =>
      sql(
        `SELECT p.name, p.active, p.deleted, p.version::text, p.arrival_seq::text, s.warehouse_id, s.on_hand::text, s.deleted AS level_deleted,
                s.version::text AS level_version
         FROM inventory_products p LEFT JOIN inventory_stock_levels s ON s.source = p.source AND s.product_source_id = p.source_id
         WHERE p.source_id = 'r6' ORDER BY s.warehouse_id`,
      );
    const before = await state();
    await publishChanges(app, [...history].reverse().map((change) => ({ ...change, eventId: randomUUID() })));
    expect(await state()).toEqual(before);
    expect(await detail('r6')).toMatchObject({ name: 'second', active: false, deleted: false, stockLevels: [expect.objectContaining({ warehouseId: 'w', onHand: 0 })] });
  });

  it('fails a change it cannot map alone, recorded for retry; its batch-mates are applied', async () => {
    const bad = entityChange('product', 'r7', 1, { item_id: 'r7', name: 'Priceless', rate: 'a lot' });
    await publishChanges(app, [entityChange('product', 'r8', 1, zohoProduct('r8', 'Fine neighbour')), bad]);
    expect(await detail('r8')).toMatchObject({ name: 'Fine neighbour' });
    expect(await productBySourceId('r7')).toBeUndefined();
    const failures = await sql<{ eventId: string; lastError: string }>(
      `SELECT event_id AS "eventId", last_error AS "lastError" FROM tds_reaction_failures WHERE reaction = $1 AND resolved_at IS NULL`,
      [CATALOGUE_REACTION],
    );
    expect(failures).toEqual([{ eventId: bad.eventId, lastError: expect.stringContaining('UnmappableChangeError') }]);
  });

  it('serves reads from the cache until a change to them commits', async () => {
    await publishChanges(app, [entityChange('product', 'c1', 1, zohoProduct('c1', 'Cached kettle'))]);
    const id = await productBySourceId('c1');
    const list = async () => (await getAs(app, '/api/inventory/products?q=kettle')).json().items.map((p: { name: string }) => p.name);
    expect((await detail('c1')).name).toBe('Cached kettle');
    expect(await list()).toEqual(['Cached kettle']);

    // Written behind the module's back: the cached reads do not see it.
    await sql(`UPDATE inventory_products SET name = 'Sneaky kettle' WHERE id = $1`, [id]);
    expect((await detail('c1')).name).toBe('Cached kettle');
    expect(await list()).toEqual(['Cached kettle']);

    // A change through the reaction invalidates the product and every list page.
    await publishChanges(app, [entityChange('product', 'c1', 2, zohoProduct('c1', 'Fresh kettle'))]);
    await eventually(async () => {
      expect((await detail('c1')).name).toBe('Fresh kettle');
      expect(await list()).toEqual(['Fresh kettle']);
    }, 10_000);

    // A stock level change invalidates its product's detail too.
    await publishChanges(app, [entityChange('stock_level', 'c1:w', 1, zohoLevel('c1', 'w', 3))]);
    await eventually(async () => expect((await detail('c1')).stockLevels).toEqual([expect.objectContaining({ warehouseId: 'w', onHand: 3 })]), 10_000);
  });
});
