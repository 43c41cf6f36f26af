import { randomUUID } from 'node:crypto';
import {
  planCatalogue,
  productFromChange,
  stockLevelFromChange,
  toDecimal,
  UnmappableChangeError,
} from '../../../src/modules/inventory/reactions/zoho-product.mapping.js';
import type { EntityChange } from '../../../src/modules/tds/public.js';
import { zohoItem, zohoStockLevel } from '../tds/fixtures/zoho-payloads.js';

const change = (entityType: string, sourceEntityId: string, data: Record<string, unknown>, overrides: Partial<EntityChange> = {}): EntityChange => ({
  eventId: randomUUID(),
  eventType: 'tds.entity.update',
  occurredAt: new Date().toISOString(),
  source: 'zoho',
  entityType,
  sourceEntityId,
  operation: 'update',
  version: 1763420571000,
  queueItemId: 42,
  changes: {},
  data,
  ...overrides,
});

describe('Zoho → inventory mapping', () => {
  it('maps a Zoho item to a product', () => {
    expect(productFromChange(change('product', zohoItem.item_id, zohoItem))).toEqual({
      source: 'zoho',
      sourceId: '4815000000044208',
      sku: 'LAP-WH-15',
      name: 'Laptop-white/15inch/dell',
      price: '122',
      unit: 'qty',
      status: 'active',
      active: true,
      version: 1763420571000,
      arrivalSeq: 42,
    });
  });

  it('makes an item inactive at Zoho an inactive product; a record without status counts as active', () => {
    expect(productFromChange(change('product', '1', { ...zohoItem, status: 'inactive' }))).toMatchObject({ status: 'inactive', active: false });
    expect(productFromChange(change('product', '1', { item_id: '1', name: 'x' }))).toMatchObject({ status: null, active: true, sku: null, price: null });
  });

  it("reads Zoho's empty strings as not set and numeric text as exact decimals", () => {
    expect(productFromChange(change('product', '1', { ...zohoItem, sku: '', unit: '', rate: ' 12.50 ' }))).toMatchObject({ sku: null, unit: null, price: '12.50' });
    expect(productFromChange(change('product', '1', { ...zohoItem, rate: '' }))).toMatchObject({ price: null });
  });

  it('refuses what numeric(18,4) cannot hold, rather than failing the whole batch in SQL', () => {
    expect(toDecimal(1e14)).toEqual({ ok: false });
    expect(toDecimal('12abc')).toEqual({ ok: false });
    expect(toDecimal(Number.NaN)).toEqual({ ok: false });
    expect(toDecimal(true)).toEqual({ ok: false });
    expect(toDecimal(-3.5)).toEqual({ ok: true, value: '-3.5' });
    expect(toDecimal('1e3')).toEqual({ ok: true, value: '1e3' });
    expect(() => productFromChange(change('product', '1', { ...zohoItem, rate: 'lots' }))).toThrow(UnmappableChangeError);
    expect(() => productFromChange(change('product', '1', { ...zohoItem, name: '' }))).toThrow(/name is missing/);
  });

  it('maps a warehouse entry to a stock level, numbers or numeric text', () => {
    const id = `${zohoStockLevel.item_id}:${zohoStockLevel.warehouse_id}`;
    expect(stockLevelFromChange(change('stock_level', id, zohoStockLevel))).toEqual({
      source: 'zoho',
      productSourceId: '4815000000044208',
      warehouseId: '4815000000035071',
      warehouseName: 'Main',
      onHand: '20',
      available: '18',
      deleted: false,
      version: 1763420571000,
      arrivalSeq: 42,
    });
    const { warehouse_available_stock: _omitted, ...forSale } = zohoStockLevel;
    expect(
      stockLevelFromChange(change('stock_level', id, { ...forSale, warehouse_stock_on_hand: '7.5', warehouse_available_for_sale_stock: '6' })),
    ).toMatchObject({ onHand: '7.5', available: '6' });
  });

  it('takes a stock level key from the source id when a delete carries no payload fields', () => {
    const level = stockLevelFromChange(change('stock_level', '111:222', {}, { operation: 'delete', eventType: 'tds.entity.delete' }));
    expect(level).toMatchObject({ productSourceId: '111', warehouseId: '222', onHand: null, available: null, deleted: true });
    expect(() => stockLevelFromChange(change('stock_level', 'no-colon', {}, { operation: 'delete' }))).toThrow(UnmappableChangeError);
    expect(() => stockLevelFromChange(change('stock_level', '1:2', { item_id: '1', warehouse_id: '2' }))).toThrow(/warehouse_stock_on_hand/);
  });

  it('sorts a batch into upserts, deactivations and stock levels, ignoring other types', () => {
    const plan = planCatalogue([
      change('product', 'a', { item_id: 'a', name: 'A' }),
      change('product', 'b', { item_id: 'b' }, { operation: 'delete', version: 9, queueItemId: 7 }),
      change('stock_level', 'a:w', { item_id: 'a', warehouse_id: 'w', warehouse_stock_on_hand: 1 }),
      change('customer', 'c', { contact_id: 'c' }),
    ]);
    expect(plan.products.map((p) => p.sourceId)).toEqual(['a']);
    expect(plan.deactivations).toEqual([{ source: 'zoho', sourceId: 'b', version: 9, arrivalSeq: 7 }]);
    expect(plan.stockLevels.map((l) => `${l.productSourceId}:${l.warehouseId}`)).toEqual(['a:w']);
  });
});
